import { describe, expect, it } from 'vitest';

import { decodeBody, encodeBody } from '../../src/log/records.js';

describe('encodeBody', () => {
  it('stores UTF-8 as text', () => {
    const bytes = Buffer.from('{"name":"Zoë ✓"}');

    expect(encodeBody(bytes)).toEqual({ body: '{"name":"Zoë ✓"}' });
  });

  it('stores invalid UTF-8 as base64', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);

    expect(encodeBody(bytes)).toEqual({ body_base64: bytes.toString('base64') });
  });

  it('stores an encoded surrogate as base64', () => {
    const bytes = Buffer.from([0xed, 0xa0, 0x80]);

    expect(encodeBody(bytes)).toHaveProperty('body_base64');
  });

  it('reads a view into a larger buffer', () => {
    const whole = Buffer.from('xx{"a":1}yy');

    expect(encodeBody(whole.subarray(2, 9))).toEqual({ body: '{"a":1}' });
  });

  it('round-trips both forms byte for byte', () => {
    for (const bytes of [Buffer.from('{"a":"é"}'), Buffer.from([0x00, 0xff, 0x80])]) {
      expect(decodeBody(encodeBody(bytes))!.equals(bytes)).toBe(true);
    }
  });
});
