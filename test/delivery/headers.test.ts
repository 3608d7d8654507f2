import { describe, expect, it } from 'vitest';

import { parseHeaderArgument, rejectSignatureHeader } from '../../src/delivery/headers.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { thrownBy } from '../helpers/errors.js';

function usageError(run: () => unknown): UsageError {
  return thrownBy(run, UsageError);
}

describe('parseHeaderArgument', () => {
  it.each([
    ['x-request-source: ci', ['x-request-source', 'ci']],
    ['X-Trace:abc', ['x-trace', 'abc']],
    ['x-empty:', ['x-empty', '']],
    ['x-spaced:   a b  ', ['x-spaced', 'a b']],
  ])('parses %j', (argument, expected) => {
    expect(parseHeaderArgument(argument)).toEqual(expected);
  });

  it.each(['x-a: line1\nline2', 'x-a: line1\r\nx-b: 2', 'x-a: a\u0000b', 'x-a: a\tb', 'x-a: a\u007fb'])(
    'rejects the control character in %j',
    (argument) => {
      const error = usageError(() => parseHeaderArgument(argument));

      expect(error.code).toBe('E_HEADER_VALUE');
      expect(error.exitCode).toBe(ExitCode.usage);
      expect(error.message).toContain(JSON.stringify(argument));
      expect(error.message).not.toMatch(/[\r\n]/);
      expect(error.hint).toContain('--header');
    },
  );

  it.each(['x a: 1', 'x(a): 1', ': 1', 'no-colon', 'é: 1'])('rejects the name in %j', (argument) => {
    expect(usageError(() => parseHeaderArgument(argument)).code).toBe('E_HEADER_SYNTAX');
  });

  it.each(['Host: example.test', 'content-length: 5', 'Connection: close', 'transfer-encoding: chunked'])(
    'rejects the reserved %j',
    (argument) => {
      const error = usageError(() => parseHeaderArgument(argument));

      expect(error.code).toBe('E_HEADER_RESERVED');
      expect(error.hint).toContain('leave it out');
    },
  );
});

describe('rejectSignatureHeader', () => {
  it.each([
    ['pllay-signature', 'pllay-signature'],
    ['pllay-signature', 'PLLAY-Signature'],
    ['x-sig', 'X-Sig'],
  ])('rejects %s when the signature goes in %s', (name, signatureHeader) => {
    const error = usageError(() => rejectSignatureHeader({ [name]: 'abc' }, signatureHeader));

    expect(error.code).toBe('E_HEADER_RESERVED');
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain(`"${name}: abc"`);
    expect(error.hint).toContain('--signature-header');
  });

  it('accepts other headers', () => {
    expect(() => rejectSignatureHeader({ 'pllay-signature': 'abc', 'x-a': '1' }, 'x-sig')).not.toThrow();
  });
});
