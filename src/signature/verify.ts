import { createHmac, timingSafeEqual } from 'node:crypto';

import {
  SIGNATURE_HEX_LENGTH,
  SIGNATURE_PREFIX,
} from './sign.js';

/** Verdict written to every log record. */
export type SignatureVerdict = 'valid' | 'invalid' | 'missing' | 'unchecked';

export type SignatureForm = 'hex' | 'sha256-prefixed';

export interface VerifyResult {
  verdict: SignatureVerdict;
  /** Plain-language reason, for example "signature is 63 characters; expected 64". */
  reason: string;
  /** Index into the secrets list of the secret that matched. */
  secretIndex?: number;
  form?: SignatureForm;
}

const HEX = /^[0-9a-f]+$/i;

/** The form that PLLAY and pllay-hooks send: a bare digest in lowercase hex. */
const LOWERCASE_HEX_DIGEST = new RegExp(`^[0-9a-f]{${SIGNATURE_HEX_LENGTH}}$`);

/**
 * Parses a signature header value: bare hex, or `sha256=<hex>`.
 * Returns the hex digest and its form, or the reason it is malformed.
 */
export function parseSignatureValue(
  value: string,
): { hex: string; form: SignatureForm } | { error: string } {
  // Checked first because nearly every request has this form, and it needs no copy.
  if (value.length === SIGNATURE_HEX_LENGTH && LOWERCASE_HEX_DIGEST.test(value)) {
    return { hex: value, form: 'hex' };
  }

  let hex = value.trim();
  let form: SignatureForm = 'hex';

  if (hex.toLowerCase().startsWith(SIGNATURE_PREFIX)) {
    hex = hex.slice(SIGNATURE_PREFIX.length);
    form = 'sha256-prefixed';
  }

  if (hex.length === 0) {
    return { error: 'signature header is empty' };
  }
  if (!HEX.test(hex)) {
    return { error: 'signature is not hexadecimal' };
  }
  if (hex.length !== SIGNATURE_HEX_LENGTH) {
    return {
      error: `signature is ${hex.length} characters long; expected ${SIGNATURE_HEX_LENGTH}`,
    };
  }

  return { hex: hex.toLowerCase(), form };
}

/**
 * Verifies a signature header value against the raw body with each secret
 * in turn. Never throws: a missing, empty, malformed or wrong-length value
 * is a verdict with a reason. The comparison runs in constant time.
 */
export function verify(
  body: Uint8Array | string,
  signature: string | undefined,
  secrets: readonly string[],
): VerifyResult {
  if (signature === undefined) {
    return { verdict: 'missing', reason: 'no signature header' };
  }
  if (secrets.length === 0) {
    return { verdict: 'unchecked', reason: 'no secret to check against' };
  }

  const parsed = parseSignatureValue(signature);
  if ('error' in parsed) {
    return { verdict: 'invalid', reason: parsed.error };
  }

  const received = Buffer.from(parsed.hex, 'hex');
  for (let index = 0; index < secrets.length; index++) {
    const expected = createHmac('sha256', secrets[index]!).update(body).digest();
    if (timingSafeEqual(received, expected)) {
      return { verdict: 'valid', reason: 'signature matches', secretIndex: index, form: parsed.form };
    }
  }

  const which = secrets.length === 1 ? 'the secret' : `any of ${secrets.length} secrets`;
  return {
    verdict: 'invalid',
    reason: `signature does not match the body under ${which}`,
    form: parsed.form,
  };
}
