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
 * accepted name, and counts its repeats. It reads `rawHeaders`, which keeps
 * every header line as it came, so that Node need not build a second
 * header object (`headersDistinct`) for each request.
 */
export function findSignatureHeader(request: IncomingMessage, names: readonly string[] = NAMES): SignatureHeader {
  const raw = request.rawHeaders;

  for (const name of names) {
    const expected = name.toLowerCase();
    let value: string | undefined;
    let count = 0;

    for (let index = 0; index < raw.length; index += 2) {
      const field = raw[index]!;
      if (field.length === expected.length && field.toLowerCase() === expected) {
        value ??= raw[index + 1]!;
        count++;
      }
    }

    if (count > 1) {
      return { kind: 'repeated', name, count };
    }
    if (value !== undefined) {
      return { kind: 'present', name, value };
    }
  }

  return { kind: 'absent' };
}
