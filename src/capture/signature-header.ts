import type { IncomingMessage } from 'node:http';

import { PREFIXED_SIGNATURE_HEADER, SIGNATURE_HEADER } from '../signature/index.js';

export type SignatureHeader =
  | { kind: 'absent' }
  | { kind: 'repeated'; name: string; count: number }
  | { kind: 'present'; name: string; value: string };

const NAMES = [SIGNATURE_HEADER, PREFIXED_SIGNATURE_HEADER];

/** Lists the header names to look for: a configured one first, then the two standard ones. */
export function signatureHeaderNames(configured?: string): string[] {
  const name = configured?.toLowerCase();
  return name === undefined || NAMES.includes(name) ? NAMES : [name, ...NAMES];
}

/**
 * Finds the signature header of a request in any letter case, under either
 * accepted name. Node lowercases header names, and keeps repeated headers
 * apart in `headersDistinct`.
 */
export function findSignatureHeader(request: IncomingMessage, names: readonly string[] = NAMES): SignatureHeader {
  for (const name of names) {
    const values = request.headersDistinct[name.toLowerCase()];
    if (values === undefined) {
      continue;
    }
    if (values.length > 1) {
      return { kind: 'repeated', name, count: values.length };
    }
    return { kind: 'present', name, value: values[0]! };
  }

  return { kind: 'absent' };
}
