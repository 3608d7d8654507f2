import { createHmac, timingSafeEqual } from 'node:crypto';

import {
  SIGNATURE_HEX_LENGTH,
  SIGNATURE_PREFIX,
} from './sign.js';

/** Verdict written to every log record. */
export type SignatureVerdict = 'valid' | 'invalid' | 'missing' | 'unchecked';

/** Form of a signature value: bare hex, `sha256=<hex>`, or another configured prefix. */
export type SignatureForm = 'hex' | 'sha256-prefixed' | 'prefixed';

export interface VerifyOptions {
  /** A value prefix to accept besides `sha256=`, such as the configured `signature.prefix`. */
  prefix?: string;
}

export interface VerifyResult {
  verdict: SignatureVerdict;
  /** Plain-language reason, for example "signature is 63 characters; expected 64". */
  reason: string;
  /** Index into the secrets list of the secret that matched. */
  secretIndex?: number;
  form?: SignatureForm;
}

const HEX = /^[0-9a-f]+$/i;
const LOWERCASE_HEX = /^[0-9a-f]+$/;

/**
 * Parses a signature header value: bare hex, `sha256=<hex>`, or `<prefix><hex>`
 * for a configured prefix. Returns the hex digest and its form, or the
 * reason it is malformed. Upper-case digits are malformed because PLLAY
 * sends lowercase, and the guide's receiver compares the hex strings, so it
 * rejects them too.
 */
export function parseSignatureValue(
  value: string,
  prefix?: string,
): { hex: string; form: SignatureForm } | { error: string } {
  let hex = value.trim();
  let form: SignatureForm = 'hex';

  if (prefix && prefix.toLowerCase() !== SIGNATURE_PREFIX && hex.toLowerCase().startsWith(prefix.toLowerCase())) {
    hex = hex.slice(prefix.length);
    form = 'prefixed';
  } else if (hex.toLowerCase().startsWith(SIGNATURE_PREFIX)) {
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
  if (!LOWERCASE_HEX.test(hex)) {
    return { error: 'signature has upper-case hex digits; expected lowercase' };
  }

  return { hex, form };
}

/**
 * Verifies a signature header value against the raw body with one secret,
 * or with each of several in turn (for rotation). Never throws: a missing,
 * empty, malformed or wrong-length value is a verdict with a reason. Without
 * secrets every request is `unchecked`, even one with no signature header.
 * The comparison runs in constant time.
 */
export function verify(
  body: Uint8Array | string,
  signature: string | undefined,
  secretOrSecrets: string | readonly string[],
  options: VerifyOptions = {},
): VerifyResult {
  const secrets = typeof secretOrSecrets === 'string' ? [secretOrSecrets] : secretOrSecrets;
  if (secrets.length === 0) {
    const header = signature === undefined ? 'no signature header and ' : '';
    return { verdict: 'unchecked', reason: `${header}no secret to check against` };
  }
  if (signature === undefined) {
    return { verdict: 'missing', reason: 'no signature header' };
  }

  const parsed = parseSignatureValue(signature, options.prefix);
  if ('error' in parsed) {
    return { verdict: 'invalid', reason: parsed.error };
  }

  const received = Buffer.from(parsed.hex, 'hex');
  for (const [index, secret] of secrets.entries()) {
    const expected = createHmac('sha256', secret).update(body).digest();
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
