import { expect } from 'vitest';

import { sendRaw } from '../helpers/http.js';
import { hmac, isServing, logRecords, sharedListen } from './helpers.js';
import { reliabilitySection } from './suite.js';

const BODY =
  '{"id":"evt_sig_1","type":"payment.succeeded","created":1761958815,"data":{"object":{"id":"pay_1"}}}';
const section = reliabilitySection('signature-header');
const listen = sharedListen();
const strictListen = sharedListen(['--reject-invalid']);

/** Sends BODY with the given headers and returns the status and the record it left. */
async function capture(
  headers: Record<string, string | string[]>,
): Promise<{ status: number; record: Record<string, unknown> }> {
  const { url, log } = listen.current();
  const before = logRecords(log).length;

  const response = await sendRaw(url, { body: BODY, headers });
  const records = logRecords(log);

  expect(records).toHaveLength(before + 1);
  return { status: response.status, record: records.at(-1)! };
}

function verdictOf(result: { status: number; record: Record<string, unknown> }): string {
  return `${result.status}; ${String(result.record.signature)}: ${String(result.record.signature_reason)}`;
}

const signature = hmac(BODY);
const headerCases: Array<[string, Record<string, string | string[]>, string, RegExp]> = [
  ['valid', { 'pllay-signature': signature }, 'valid', /^signature matches$/],
  ['missing', {}, 'missing', /^no signature header$/],
  ['empty', { 'pllay-signature': '' }, 'invalid', /empty/],
  ['repeated', { 'pllay-signature': [signature, signature] }, 'invalid', /sent 2 times/],
  [
    'odd-length',
    { 'pllay-signature': signature.slice(0, 33) },
    'invalid',
    /33 characters long; expected 64/,
  ],
  ['non-hex', { 'pllay-signature': `${signature.slice(0, 63)}g` }, 'invalid', /not hexadecimal/],
  ['upper-case', { 'pllay-signature': signature.toUpperCase() }, 'invalid', /upper-case/],
  ['one-short', { 'pllay-signature': signature.slice(1) }, 'invalid', /63 characters long/],
  ['one-long', { 'pllay-signature': `${signature}0` }, 'invalid', /65 characters long/],
  ['other-body', { 'pllay-signature': hmac(`${BODY} `) }, 'invalid', /does not match the body/],
];

for (const [id, headers, verdict, reason] of headerCases) {
  section.test(id, async () => {
    const result = await capture(headers);

    expect(result.status).toBe(200);
    expect(result.record.signature).toBe(verdict);
    expect(result.record.signature_reason).toMatch(reason);
    expect(result.record.body).toBe(BODY);
    return verdictOf(result);
  });
}

section.test('reject-invalid', async () => {
  const { url, log } = strictListen.current();

  const response = await sendRaw(url, {
    body: BODY,
    headers: { 'pllay-signature': signature.slice(1) },
  });
  const record = logRecords(log).at(-1)!;

  expect(response.status).toBe(401);
  expect(JSON.parse(response.body)).toEqual({
    error: 'signature invalid: signature is 63 characters long; expected 64',
  });
  expect(record.signature).toBe('invalid');
  return `${response.status} ${response.body}; logged as ${String(record.signature)}`;
});

section.test('still-up', async () => {
  const running = listen.current();

  expect(await isServing(running)).toBe(true);
  expect(await isServing(strictListen.current())).toBe(true);
  expect(running.cli.stderr()).not.toMatch(/internal error|TypeError|RangeError/);
  return `running after ${logRecords(running.log).length} requests; GET /health 200; stderr has no error`;
});

section.checkDoc();
