import type { IncomingMessage } from 'node:http';

import { describe, expect, it } from 'vitest';

import { findSignatureHeader } from '../../src/capture/signature-header.js';

function request(rawHeaders: string[]): IncomingMessage {
  return { rawHeaders } as IncomingMessage;
}

describe('findSignatureHeader', () => {
  it('finds the header in any case', () => {
    const found = findSignatureHeader(request(['Host', 'x', 'PLLAY-Signature', 'abc']));

    expect(found).toEqual({ kind: 'present', name: 'pllay-signature', value: 'abc' });
  });

  it('reports a missing header as absent', () => {
    expect(findSignatureHeader(request(['content-type', 'application/json']))).toEqual({ kind: 'absent' });
  });

  it('counts a repeated header', () => {
    const found = findSignatureHeader(request(['pllay-signature', 'a', 'x', 'y', 'Pllay-Signature', 'b']));

    expect(found).toEqual({ kind: 'repeated', name: 'pllay-signature', count: 2 });
  });

  it('finds the prefixed variant', () => {
    const found = findSignatureHeader(request(['X-PLLAY-Signature', 'sha256=abc']));

    expect(found).toEqual({ kind: 'present', name: 'x-pllay-signature', value: 'sha256=abc' });
  });

  it('prefers the plain header name', () => {
    const found = findSignatureHeader(request(['x-pllay-signature', 'second', 'pllay-signature', 'first']));

    expect(found).toEqual({ kind: 'present', name: 'pllay-signature', value: 'first' });
  });

  it('ignores header values that match', () => {
    expect(findSignatureHeader(request(['x-note', 'pllay-signature']))).toEqual({ kind: 'absent' });
  });
});
