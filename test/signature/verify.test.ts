import { describe, expect, it } from 'vitest';

import { parseSignatureValue, sign, verify } from '../../src/signature/index.js';

const SECRET = 'whsec_test_verify';
const BODY = '{"id":"evt_1","type":"payment.succeeded"}';
const SIGNATURE = sign(BODY, SECRET);

describe('verify', () => {
  it('accepts the lowercase hex form', () => {
    expect(verify(BODY, SIGNATURE, [SECRET])).toEqual({
      verdict: 'valid',
      reason: 'signature matches',
      secretIndex: 0,
      form: 'hex',
    });
  });

  it('rejects uppercase hex', () => {
    const result = verify(BODY, SIGNATURE.toUpperCase(), [SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toContain('upper-case');
  });

  it('accepts the sha256= form', () => {
    const result = verify(BODY, `SHA256=${SIGNATURE}`, [SECRET]);

    expect(result.verdict).toBe('valid');
    expect(result.form).toBe('sha256-prefixed');
  });

  it('accepts surrounding whitespace', () => {
    expect(verify(BODY, ` ${SIGNATURE} `, [SECRET]).verdict).toBe('valid');
  });

  it('reports which rotated secret matched', () => {
    expect(verify(BODY, SIGNATURE, ['whsec_old', SECRET]).secretIndex).toBe(1);
  });

  it('rejects a signature of another body', () => {
    const result = verify(`${BODY} `, SIGNATURE, [SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toBe('signature does not match the body under the secret');
  });

  it('explains each malformed value', () => {
    const cases: Array<[string, string]> = [
      ['', 'signature header is empty'],
      ['sha256=', 'signature header is empty'],
      [`${SIGNATURE.slice(0, 63)}g`, 'signature is not hexadecimal'],
      [SIGNATURE.slice(0, 63), 'signature is 63 characters long; expected 64'],
    ];

    for (const [value, reason] of cases) {
      expect(verify(BODY, value, [SECRET])).toEqual({ verdict: 'invalid', reason });
    }
  });

  it('marks a missing signature', () => {
    expect(verify(BODY, undefined, [SECRET]).verdict).toBe('missing');
  });

  it('marks a body without secrets unchecked', () => {
    expect(verify(BODY, SIGNATURE, []).verdict).toBe('unchecked');
  });
});

describe('parseSignatureValue', () => {
  it('rejects uppercase hex', () => {
    expect(parseSignatureValue(SIGNATURE.toUpperCase())).toEqual({ error: 'signature has upper-case hex digits; expected lowercase' });
  });
});
