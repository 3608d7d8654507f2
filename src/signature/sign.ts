import { createHmac } from 'node:crypto';

/** Name of the header that carries the signature, as PLLAY's guide sends it. */
export const SIGNATURE_HEADER = 'pllay-signature';

/** Header name of the variant shown on PLLAY's public docs page. */
export const PREFIXED_SIGNATURE_HEADER = 'x-pllay-signature';

/** Value prefix of that variant: `X-PLLAY-Signature: sha256=<hex>`. */
export const SIGNATURE_PREFIX = 'sha256=';

/** Length of a hex HMAC-SHA256 digest. */
export const SIGNATURE_HEX_LENGTH = 64;

/**
 * Computes the lowercase hex HMAC-SHA256 of the exact body bytes, keyed
 * with the UTF-8 bytes of the secret. A string body is signed as UTF-8.
 */
export function sign(body: Uint8Array | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Returns a short, stable fingerprint of a secret so that output can say
 * which secret matched without showing it.
 */
export function fingerprint(secret: string): string {
  return createHmac('sha256', 'pllay-hooks fingerprint')
    .update(secret)
    .digest('hex')
    .slice(0, 8);
}

/** Shows the first characters of a secret and hides the rest. */
export function maskSecret(secret: string): string {
  const visible = secret.startsWith('whsec_') ? 6 : Math.min(2, secret.length);
  return `${secret.slice(0, visible)}${'*'.repeat(8)} (${fingerprint(secret)})`;
}
