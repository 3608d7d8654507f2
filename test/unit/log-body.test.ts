import { describe, expect, it } from 'vitest';

import { decodeBody, encodeBody } from '../../src/log/index.js';

/** Encodes, passes the record through JSON as a log line does, and decodes. */
function roundTrip(bytes: Uint8Array): Buffer | undefined {
  const line = JSON.stringify({ event_id: null, ...encodeBody(bytes) });
  return decodeBody(JSON.parse(line) as { body?: unknown; body_base64?: unknown });
}

const NOT_UTF8: Array<[string, Buffer]> = [
  ['a lone continuation byte', Buffer.from([0x7b, 0x80, 0x7d])],
  ['Latin-1 text', Buffer.from('{"name":"Zoë"}', 'latin1')],
  ['a truncated emoji', Buffer.from('🎮').subarray(0, 3)],
  ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
  ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
  ['0xff bytes', Buffer.from([0xff, 0xfe, 0xfd])],
  ['random bytes', Buffer.from(Array.from({ length: 256 }, (_, index) => (index * 167) % 256))],
];

describe('encodeBody', () => {
  it('stores UTF-8 text as body', () => {
    const text = '{"name":"Zoë Ångström 🎮","url":"https:\\/\\/pllay.io"}\n';

    expect(encodeBody(Buffer.from(text))).toEqual({ body: text });
  });

  it('stores an empty body as body', () => {
    expect(encodeBody(Buffer.alloc(0))).toEqual({ body: '' });
  });

  it('keeps a byte order mark', () => {
    const bytes = Buffer.from('\uFEFF{"a":1}');

    expect(encodeBody(bytes)).toEqual({ body: '\uFEFF{"a":1}' });
    expect(roundTrip(bytes)!.equals(bytes)).toBe(true);
  });

  it('keeps a literal replacement character as text', () => {
    const bytes = Buffer.from('{"a":"\uFFFD"}');

    expect(encodeBody(bytes)).toEqual({ body: '{"a":"\uFFFD"}' });
  });

  it('keeps NUL and control bytes as text', () => {
    const bytes = Buffer.from([0x00, 0x01, 0x1b, 0x7f]);

    expect(encodeBody(bytes)).toHaveProperty('body');
    expect(roundTrip(bytes)!.equals(bytes)).toBe(true);
  });

  it.each(NOT_UTF8)('stores %s as body_base64', (_name, bytes) => {
    const encoded = encodeBody(bytes);

    expect(encoded).not.toHaveProperty('body');
    expect(encoded).toEqual({ body_base64: bytes.toString('base64') });
  });

  it.each(NOT_UTF8)('decodes %s byte for byte', (_name, bytes) => {
    expect(roundTrip(bytes)!.equals(bytes)).toBe(true);
  });

  it('reads a slice of a larger buffer', () => {
    const whole = Buffer.from([0xff, 0x7b, 0x7d, 0xff]);

    expect(encodeBody(whole.subarray(1, 3))).toEqual({ body: '{}' });
    expect(encodeBody(new Uint8Array(whole.buffer, whole.byteOffset, 2))).toEqual({
      body_base64: Buffer.from([0xff, 0x7b]).toString('base64'),
    });
  });
});

describe('decodeBody', () => {
  it('prefers body_base64', () => {
    expect(decodeBody({ body: 'x', body_base64: Buffer.from('y').toString('base64') })).toEqual(Buffer.from('y'));
  });

  it('reads body as UTF-8', () => {
    expect(decodeBody({ body: 'Zoë' })).toEqual(Buffer.from('Zoë', 'utf8'));
  });

  it('returns undefined without a body', () => {
    expect(decodeBody({})).toBeUndefined();
    expect(decodeBody({ body: 42 })).toBeUndefined();
  });
});
