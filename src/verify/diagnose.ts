import { createHmac, timingSafeEqual } from 'node:crypto';

import { fingerprint, SIGNATURE_HEX_LENGTH } from '../signature/index.js';
import { describeFinding, type Finding, type FindingCode } from './findings.js';
import { bodyVariants, normaliseSignature, secretVariants } from './variants.js';

/** Shortest cut-off signature that is still compared to the start of the right one. */
const MIN_TRUNCATED_LENGTH = 8;

export interface DiagnoseOptions {
  /** The body as the receiver has it. */
  body: Uint8Array | string;
  /** The signature header value as received. */
  signature: string;
  /** Every current secret; more than one during a rotation. */
  secrets: string | readonly string[];
  /** Text expected before the hex digest; none by default. */
  prefix?: string;
}

export interface Diagnosis {
  /** True when the value matches exactly, in the expected format, under one of the secrets. */
  valid: boolean;
  reason: string;
  /** Index of the secret that matched, exactly or once the findings are undone. */
  secretIndex?: number;
  secretFingerprint?: string;
  /**
   * Causes of the mismatch, each with its fix, when undoing them makes the
   * signature match. For a valid signature, notes such as a match under a
   * later secret.
   */
  findings: Finding[];
  /** True when the findings fully explain a mismatch. */
  explained: boolean;
  /** The value that the body as given should carry under the first secret. */
  expected: string;
}

interface Match {
  secretIndex: number;
  codes: FindingCode[];
}

/**
 * Checks a signature strictly. When it does not match, tries each usual
 * cause: a body re-serialised after parsing or with a newline changed, a
 * secret with stray whitespace, a prefixed, upper-case or cut-off value, and
 * every other secret. Reports the explanation that needs the fewest changes.
 */
export function diagnoseSignature(options: DiagnoseOptions): Diagnosis {
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : [...options.secrets];
  const prefix = options.prefix ?? '';
  const body = Buffer.from(options.body);
  const expected = secrets[0] === undefined ? '' : `${prefix}${hmac(body, secrets[0])}`;

  if (secrets.length === 0) {
    return { valid: false, reason: 'no secret to check against', findings: [], explained: false, expected };
  }

  const exact = exactMatch(body, options.signature, secrets, prefix);
  const match = exact ?? searchCulprits(body, options.signature, secrets, prefix);
  if (match === undefined) {
    return { valid: false, reason: mismatchReason(options.signature, prefix, secrets.length), findings: [], explained: false, expected };
  }

  const codes: FindingCode[] = [...match.codes, ...(match.secretIndex > 0 ? (['secret-not-first'] as const) : [])];
  const context = {
    prefix,
    signatureLength: normaliseSignature(options.signature, prefix).value.length,
    secretIndex: match.secretIndex,
    secretCount: secrets.length,
    secretFingerprint: fingerprint(secrets[match.secretIndex]!),
    bodyHasEscapes: /\\u[0-9a-fA-F]{4}|\\\//.test(body.toString('utf8')),
  };

  return {
    valid: exact !== undefined,
    reason: exact === undefined ? 'signature does not match as given' : 'signature matches',
    secretIndex: match.secretIndex,
    secretFingerprint: context.secretFingerprint,
    findings: codes.map((code) => describeFinding(code, context)),
    explained: exact === undefined,
    expected,
  };
}

/** Compares in constant time against the exact expected value under each secret. */
function exactMatch(body: Buffer, signature: string, secrets: string[], prefix: string): Match | undefined {
  const received = Buffer.from(signature);
  for (const [secretIndex, secret] of secrets.entries()) {
    const wanted = Buffer.from(`${prefix}${hmac(body, secret)}`);
    if (received.length === wanted.length && timingSafeEqual(received, wanted)) {
      return { secretIndex, codes: [] };
    }
  }
  return undefined;
}

function searchCulprits(body: Buffer, signature: string, secrets: string[], prefix: string): Match | undefined {
  const normalised = normaliseSignature(signature, prefix);
  const received = normalised.value;
  const truncated = received.length >= MIN_TRUNCATED_LENGTH && received.length < SIGNATURE_HEX_LENGTH;
  let best: Match | undefined;

  for (const bodyVariant of bodyVariants(body)) {
    for (const [secretIndex, secret] of secrets.entries()) {
      for (const secretVariant of secretVariants(secret)) {
        const digest = hmac(bodyVariant.value, secretVariant.value);
        const matches = digest === received || (truncated && digest.startsWith(received));
        if (!matches) {
          continue;
        }

        const codes = [...normalised.codes, ...bodyVariant.codes, ...secretVariant.codes];
        if (digest !== received) {
          codes.push('signature-truncated');
        }
        if (best === undefined || rank(codes, secretIndex) < rank(best.codes, best.secretIndex)) {
          best = { secretIndex, codes };
        }
      }
    }
  }
  return best;
}

/** Fewer changes explain a mismatch better; a later secret counts as one more. */
function rank(codes: FindingCode[], secretIndex: number): number {
  return codes.length + (secretIndex > 0 ? 1 : 0);
}

function mismatchReason(signature: string, prefix: string, secretCount: number): string {
  const value = normaliseSignature(signature, prefix).value;
  if (value === '') {
    return 'the signature is empty';
  }
  if (!/^[0-9a-f]+$/.test(value)) {
    return 'the signature is not hexadecimal, and no usual cause explains it';
  }

  const under = secretCount === 1 ? 'the secret' : `any of the ${secretCount} secrets`;
  return `the signature does not match the body under ${under}, and no usual cause explains it`;
}

function hmac(body: Uint8Array | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}
