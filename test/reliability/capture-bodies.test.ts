import { gzipSync } from 'node:zlib';

import { expect } from 'vitest';

import { sendRaw } from '../helpers/http.js';
import { hmac, isServing, logRecords, rawExchange, sharedListen, waitUntil } from './helpers.js';
import { reliabilitySection } from './suite.js';

const section = reliabilitySection('bodies');
const listen = sharedListen();
const limited = sharedListen(['--max-body', '1kb']);
const ENVELOPE =
  '{"id":"evt_body_1","type":"kyc.started","created":1761958815,"data":{"object":{}}}';

/** Sends a signed body and returns the status and the record it left in the log. */
async function captureSigned(
  body: Buffer | string,
  options: { chunked?: boolean } = {},
): Promise<{ status: number; record: Record<string, unknown> }> {
  const { url, log } = listen.current();
  const before = logRecords(log).length;

  const response = await sendRaw(url, {
    body,
    headers: { 'pllay-signature': hmac(body) },
    ...options,
  });
  const records = logRecords(log);

  expect(records).toHaveLength(before + 1);
  return { status: response.status, record: records.at(-1)! };
}

/** Builds a request head for a raw connection. */
function head(headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return ['POST /webhooks/pllay HTTP/1.1', 'host: 127.0.0.1', ...lines, '', ''].join('\r\n');
}

section.test('empty', async () => {
  const { status, record } = await captureSigned('');

  expect(status).toBe(200);
  expect(record).toMatchObject({
    size: 0,
    body: '',
    event_id: null,
    type: null,
    signature: 'valid',
  });
  return `${status}; size 0, event_id null, ${String(record.signature)}`;
});

section.test('not-json', async () => {
  const body = 'amount=100&currency=USD';
  const { status, record } = await captureSigned(body);

  expect(status).toBe(200);
  expect(record).toMatchObject({ body, event_id: null, signature: 'valid' });
  return `${status}; body kept as sent, ${String(record.signature)}`;
});

section.test('not-envelope', async () => {
  const body = '[{"id":"evt_in_array"}]';
  const { status, record } = await captureSigned(body);

  expect(status).toBe(200);
  expect(record).toMatchObject({ body, event_id: null, type: null, signature: 'valid' });
  return `${status}; event_id null, type null, ${String(record.signature)}`;
});

section.test('deep', async () => {
  const depth = 100_000;
  const body = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const { status, record } = await captureSigned(body);

  expect(status).toBe(200);
  expect(record.body).toBe(body);
  expect(record.signature).toBe('valid');
  expect(await isServing(listen.current())).toBe(true);
  return `${status}; ${Buffer.byteLength(body)} bytes logged whole, ${String(record.signature)}; server up`;
});

section.test('not-utf8', async () => {
  const body = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x7b, 0x7d, 0xed, 0xa0, 0x80]);
  const { status, record } = await captureSigned(body);

  expect(status).toBe(200);
  expect(record.body).toBeUndefined();
  expect(Buffer.from(record.body_base64 as string, 'base64').equals(body)).toBe(true);
  expect(record.signature).toBe('valid');
  return `${status}; body_base64 decodes to the ${body.length} bytes sent, ${String(record.signature)}`;
});

section.test('too-large', async () => {
  const { url, log, cli } = limited.current();
  const before = logRecords(log).length;

  const exchange = await rawExchange(url, {
    head: head({ 'content-length': 4096, 'pllay-signature': 'a'.repeat(64) }),
    closeAfterMs: 5_000,
  });
  const after = await sendRaw(url, {
    body: ENVELOPE,
    headers: { 'pllay-signature': hmac(ENVELOPE) },
  });

  expect(exchange.status).toBe(413);
  expect(exchange.response).toContain('body larger than the limit of 1024 bytes');
  expect(exchange.closedByServer).toBe(true);
  expect(after.status).toBe(200);
  expect(logRecords(log)).toHaveLength(before + 1);
  await waitUntil(() => cli.stderr().includes('rejected a body over 1.0 KiB'));
  return `${exchange.status}; closed by the server; nothing logged; next request ${after.status}`;
});

section.test('too-large-chunked', async () => {
  const { url, log } = limited.current();
  const before = logRecords(log).length;
  const piece = 'x'.repeat(16 * 1024);
  const pieces = Array.from({ length: 256 }, () => `${piece.length.toString(16)}\r\n${piece}\r\n`);

  const exchange = await rawExchange(url, {
    head: head({ 'transfer-encoding': 'chunked' }),
    pieces: [...pieces, '0\r\n\r\n'],
    pauseMs: 2,
    closeAfterMs: 5_000,
  });
  const after = await sendRaw(url, {
    body: ENVELOPE,
    headers: { 'pllay-signature': hmac(ENVELOPE) },
  });
  const total = pieces.join('').length;

  expect(exchange.status).toBe(413);
  expect(exchange.closedByServer).toBe(true);
  expect(exchange.written).toBeLessThan(total);
  expect(after.status).toBe(200);
  expect(logRecords(log)).toHaveLength(before + 1);
  return `${exchange.status}; closed by the server before the 4 MiB body ended; next request ${after.status}`;
});

section.test('chunked', async () => {
  const body = JSON.stringify({ id: 'evt_chunked', type: 'kyc.started', pad: 'y'.repeat(40_000) });
  const { status, record } = await captureSigned(body, { chunked: true });

  expect(status).toBe(200);
  expect(record.body).toBe(body);
  expect(record.signature).toBe('valid');
  return `${status}; ${Buffer.byteLength(body)} bytes logged byte for byte, ${String(record.signature)}`;
});

section.test('length-short', async () => {
  const running = listen.current();
  const before = logRecords(running.log).length;

  const exchange = await rawExchange(running.url, {
    head: head({ 'content-length': 100, 'pllay-signature': hmac(ENVELOPE) }),
    pieces: ['{"id":"evt_cut_short"'],
    closeAfterMs: 200,
  });
  await waitUntil(() =>
    running.cli.stderr().includes('disconnected or timed out before sending the whole body'),
  );
  const after = await sendRaw(running.url, {
    body: ENVELOPE,
    headers: { 'pllay-signature': hmac(ENVELOPE) },
  });

  expect(exchange.status).toBe(0);
  expect(exchange.closedByServer).toBe(false);
  expect(after.status).toBe(200);
  expect(logRecords(running.log)).toHaveLength(before + 1);
  expect(JSON.stringify(logRecords(running.log))).not.toContain('evt_cut_short');
  return `no response, nothing logged, warning printed; next request ${after.status}`;
});

section.test('length-long', async () => {
  const running = listen.current();
  const declared = Buffer.byteLength(ENVELOPE);
  const before = logRecords(running.log).length;

  const exchange = await rawExchange(running.url, {
    head: head({ 'content-length': declared, 'pllay-signature': hmac(ENVELOPE) }),
    pieces: [`${ENVELOPE}EXTRA BYTES\r\n\r\n`],
    closeAfterMs: 5_000,
  });
  await waitUntil(() => logRecords(running.log).length > before);
  const records = logRecords(running.log);

  expect(exchange.closedByServer).toBe(true);
  expect(exchange.response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect(exchange.response).not.toContain('200');
  expect(records).toHaveLength(before + 1);
  expect(records.at(-1)).toMatchObject({ body: ENVELOPE, signature: 'valid' });
  expect(await isServing(running)).toBe(true);
  return `the ${declared} declared bytes logged (valid); the client got only a 400, then the connection closed`;
});

section.test('gzip', async () => {
  const running = listen.current();
  const body = gzipSync(ENVELOPE);
  const before = logRecords(running.log).length;

  const response = await sendRaw(running.url, {
    body,
    headers: { 'content-encoding': 'gzip', 'pllay-signature': hmac(ENVELOPE) },
  });

  expect(response.status).toBe(415);
  expect(response.headers['accept-encoding']).toBe('identity');
  expect(response.headers.connection).toBe('close');
  expect(JSON.parse(response.body)).toEqual({
    error: 'content-encoding gzip is not supported: send the body uncompressed, as PLLAY does',
  });
  expect(logRecords(running.log)).toHaveLength(before);
  await waitUntil(() => running.cli.stderr().includes('content-encoding gzip'));
  return `${response.status} ${response.body}; accept-encoding: identity; nothing logged`;
});

section.checkDoc();
