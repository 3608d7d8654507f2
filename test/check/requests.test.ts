import { describe, expect, it } from 'vitest';

import {
  accentedTextRequest,
  largeBodyRequest,
  LARGE_BODY_BYTES,
  missingSignatureRequest,
  MIXED_CASE_SIGNATURE_HEADER,
  mixedCaseHeaderRequest,
  tamperedBodyRequest,
  truncatedJsonRequest,
  unknownTypeRequest,
  UNKNOWN_EVENT_TYPE,
  wrongSignatureRequest,
} from '../../src/check/requests.js';
import { sign, SIGNATURE_HEADER, verify } from '../../src/signature/index.js';

const SECRET = 'whsec_test_requests';

describe('check requests', () => {
  it('signs the large body correctly', () => {
    const request = largeBodyRequest(SECRET);
    const bytes = Buffer.byteLength(request.body);
    const event = JSON.parse(String(request.body)) as { type: string; data: { object: { results: unknown[] } } };

    expect(bytes).toBeGreaterThanOrEqual(LARGE_BODY_BYTES);
    expect(bytes).toBeLessThan(1024 * 1024);
    expect(event.type).toBe('tournament.ended');
    expect(request.label).toBe(`tournament.ended, ${event.data.object.results.length} results`);
    expect(verify(request.body, request.headers[SIGNATURE_HEADER], [SECRET]).verdict).toBe('valid');
  });

  it('tampers the body after signing', () => {
    const request = tamperedBodyRequest('payment.succeeded', SECRET);
    const event = JSON.parse(String(request.body)) as { data: { object: { amount: number } } };

    expect(event.data.object.amount).toBe(250_000);
    expect(verify(request.body, request.headers[SIGNATURE_HEADER], [SECRET]).verdict).toBe('invalid');
  });

  it('tampers the status without amount', () => {
    const request = tamperedBodyRequest('kyc.started', SECRET);
    const event = JSON.parse(String(request.body)) as { data: { object: { status: string } } };

    expect(event.data.object.status).toBe('tampered');
    expect(verify(request.body, request.headers[SIGNATURE_HEADER], [SECRET]).verdict).toBe('invalid');
  });

  it('signs wrong signature with another secret', () => {
    const request = wrongSignatureRequest('payment.succeeded', SECRET);
    const signature = request.headers[SIGNATURE_HEADER]!;

    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verify(request.body, signature, [SECRET]).verdict).toBe('invalid');
    expect(request.timed).toBe(false);
  });

  it('omits the missing signature header', () => {
    const request = missingSignatureRequest('payment.succeeded', SECRET);

    expect(Object.keys(request.headers).map((name) => name.toLowerCase())).not.toContain(SIGNATURE_HEADER);
    expect(request.headers['content-type']).toBe('application/json');
  });

  it('sends mixed-case header with valid signature', () => {
    const request = mixedCaseHeaderRequest('payment.succeeded', SECRET);

    expect(request.headers[SIGNATURE_HEADER]).toBeUndefined();
    expect(request.headers[MIXED_CASE_SIGNATURE_HEADER]).toBe(sign(request.body, SECRET));
  });

  it('signs accented text as UTF-8 bytes', () => {
    const request = accentedTextRequest('wager.created', SECRET);
    const body = String(request.body);

    expect(body).toContain('Zoë Ångström-Núñez');
    expect(body).toContain('🎉🏆');
    expect(Buffer.byteLength(body)).toBeGreaterThan(body.length);
    expect(verify(Buffer.from(body, 'utf8'), request.headers[SIGNATURE_HEADER], [SECRET]).verdict).toBe('valid');
  });

  it('signs an unknown event type', () => {
    const request = unknownTypeRequest(SECRET);
    const event = JSON.parse(String(request.body)) as { type: string };

    expect(event.type).toBe(UNKNOWN_EVENT_TYPE);
    expect(verify(request.body, request.headers[SIGNATURE_HEADER], [SECRET]).verdict).toBe('valid');
  });

  it('signs a body that is not JSON', () => {
    const request = truncatedJsonRequest(SECRET);

    expect(() => JSON.parse(String(request.body))).toThrow();
    expect(verify(request.body, request.headers[SIGNATURE_HEADER], [SECRET]).verdict).toBe('valid');
    expect(request.timed).toBe(false);
  });
});
