import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { explainVerdict } from '../../src/inspector/explain.js';
import type { CaptureRecord } from '../../src/log/index.js';

function record(overrides: Partial<CaptureRecord>): CaptureRecord {
  return {
    kind: 'capture',
    event_id: 'evt_1',
    type: 'payment.succeeded',
    received_at: '2025-01-31T12:00:00.000Z',
    method: 'POST',
    path: '/webhooks/pllay',
    headers: {},
    size: 2,
    body: '{}',
    signature: 'valid',
    ...overrides,
  };
}

describe('verdict explanation', () => {
  it('explains a valid signature', () => {
    const lines = explainVerdict(record({ signature_header: 'pllay-signature', signature_form: 'hex' }));

    expect(lines).toEqual([
      'The pllay-signature header is the HMAC-SHA256 of the body bytes under the secret, so the body arrived as it was signed.',
    ]);
  });

  it('notes the prefixed form', () => {
    const lines = explainVerdict(
      record({ signature_header: 'x-pllay-signature', signature_form: 'sha256-prefixed', secret_fingerprint: 'ab12cd34' }),
    );

    expect(lines[0]).toContain('The x-pllay-signature header');
    expect(lines[1]).toContain('sha256=<hex>');
    expect(lines[2]).toBe('It matched the secret with fingerprint ab12cd34.');
  });

  it('explains a missing header', () => {
    const lines = explainVerdict(record({ signature: 'missing' }));

    expect(lines[0]).toBe('No pllay-signature header (nor x-pllay-signature) arrived with the request.');
  });

  it('explains an unchecked request', () => {
    const lines = explainVerdict(record({ signature: 'unchecked' }));

    expect(lines[1]).toContain('--secret');
  });

  it('explains a malformed signature', () => {
    const lines = explainVerdict(
      record({ signature: 'invalid', signature_header: 'pllay-signature', headers: { 'pllay-signature': 'a'.repeat(63) } }),
    );

    expect(lines[0]).toBe('The pllay-signature header is malformed: signature is 63 characters long; expected 64.');
  });

  it('explains a repeated header', () => {
    const lines = explainVerdict(
      record({ signature: 'invalid', signature_header: 'pllay-signature', headers: { 'pllay-signature': ['a', 'b'] } }),
    );

    expect(lines[0]).toBe('The pllay-signature header arrived 2 times; a request carries exactly one signature.');
  });

  it('explains a mismatch', () => {
    const lines = explainVerdict(
      record({
        signature: 'invalid',
        signature_reason: 'signature does not match the body under the secret',
        signature_header: 'pllay-signature',
        headers: { 'pllay-signature': 'a'.repeat(64) },
      }),
    );

    expect(lines[0]).toContain('is a well-formed digest, but not the HMAC-SHA256 of these body bytes');
    expect(lines[1]).toContain('another secret');
  });

  it('names the likely cause', () => {
    const secret = 'whsec_test_explain';
    const signed = '{"id":"evt_1","type":"payment.succeeded"}';
    const lines = explainVerdict(
      record({
        signature: 'invalid',
        signature_header: 'pllay-signature',
        headers: { 'pllay-signature': createHmac('sha256', secret).update(signed).digest('hex') },
        body: `${signed}\n`,
      }),
      { secrets: [secret] },
    );

    expect(lines[2]).toMatch(/^Likely cause: with this change, it matches under the secret with fingerprint [0-9a-f]{8}\.$/);
    expect(lines[3]).toMatch(/^The body ends with a line break that was not signed .*\. Fix: verify the exact bytes .+\.$/);
  });

  it('gives the expected signature otherwise', () => {
    const secret = 'whsec_test_explain';
    const lines = explainVerdict(
      record({ signature: 'invalid', signature_header: 'pllay-signature', headers: { 'pllay-signature': 'a'.repeat(64) } }),
      { secrets: [secret] },
    );

    expect(lines[2]).toBe(
      `No usual cause explains it. Under the first secret, these body bytes would carry ${createHmac('sha256', secret).update('{}').digest('hex')}.`,
    );
  });
});
