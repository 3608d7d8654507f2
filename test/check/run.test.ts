import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import { afterEach, describe, expect, it } from 'vitest';

import { VERIFY_FIRST_FIX } from '../../src/check/judge.js';
import { parseCheckTypes, runChecks, summarize, type CheckRunOptions } from '../../src/check/run.js';
import type { CheckReport, CheckResult, CheckStatus } from '../../src/check/types.js';
import { PllayError } from '../../src/errors.js';
import { startTestServer, type ReceivedRequest, type TestServer } from '../helpers/server.js';
import { startAcknowledgeFirstApp, startCarelessApp, startGoodApp } from '../helpers/webhook-apps.js';

const SECRET = 'whsec_test_check';
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function track<T extends TestServer>(server: Promise<T>): Promise<T> {
  const started = await server;
  servers.push(started);
  return started;
}

function check(server: TestServer, options: Partial<CheckRunOptions> = {}): Promise<CheckReport> {
  return runChecks({ url: new URL(`${server.url}/webhooks/pllay`), secret: SECRET, ...options });
}

function result(report: CheckReport, id: string): CheckResult {
  const found = report.results.find((candidate) => candidate.id === id);
  expect(found, `check ${id}`).toBeDefined();
  return found!;
}

function statuses(report: CheckReport): Record<string, CheckStatus> {
  return Object.fromEntries(report.results.map((candidate) => [candidate.id, candidate.status]));
}

function verifies(request: ReceivedRequest, signature: string | undefined): boolean {
  const expected = createHmac('sha256', SECRET).update(request.body).digest();
  const given = Buffer.from(signature ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** An app that verifies first and responds with 200, unless `statusFor` returns another status. */
function startAppWith(statusFor: (request: ReceivedRequest) => number | undefined): Promise<TestServer> {
  return startTestServer((request, response) => {
    const status = statusFor(request) ?? (verifies(request, request.headers['pllay-signature'] as string) ? 200 : 401);
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `status ${status}`);
  });
}

describe('runChecks on three apps', () => {
  it('passes every check on good app', async () => {
    const app = await track(startGoodApp(SECRET));

    const report = await check(app);

    expect(report.results.filter((candidate) => candidate.status !== 'pass')).toEqual([]);
    expect(report.results).toHaveLength(11);
    expect(report.requests).toBe(3 * 13 + 9);
    expect(app.requests).toHaveLength(report.requests);
    expect(summarize(report.results, true).ok).toBe(true);
  });

  it('warns on acknowledge-first signatures', async () => {
    const app = await track(startAcknowledgeFirstApp(SECRET));

    const report = await check(app, { types: ['payment.succeeded'] });

    const signatureChecks = ['wrong-signature-rejected', 'missing-signature-rejected', 'tampered-body-rejected'];
    for (const id of signatureChecks) {
      const warned = result(report, id);
      expect(warned.status, id).toBe('warn');
      expect(warned.evidence, id).toMatch(/^accepted with 200 in \d+ ms$/);
      expect(warned.fix, id).toBe(VERIFY_FIRST_FIX);
      expect(warned.explanation, id).toContain('cannot show whether the endpoint checks the signature later');
    }
    expect(report.results.filter((candidate) => !signatureChecks.includes(candidate.id)).map((candidate) => candidate.status))
      .toEqual(Array(8).fill('pass'));
    // The app does verify, after responding, which is why a 2xx only warns.
    expect(app.rejectedAfterAnswer).toHaveLength(3);
    expect(summarize(report.results, false).ok).toBe(true);
    expect(summarize(report.results, true).ok).toBe(false);
  });

  it('fails careless app with fixes', async () => {
    const app = await track(startCarelessApp(400));

    const report = await check(app, { types: ['payment.succeeded'], maxLatencyMs: 100 });

    expect(statuses(report)).toEqual({
      'signed-event-accepted': 'pass',
      'wrong-signature-rejected': 'fail',
      'missing-signature-rejected': 'fail',
      'tampered-body-rejected': 'fail',
      'responds-within-limit': 'fail',
      'duplicate-accepted': 'fail',
      'unknown-type-tolerated': 'fail',
      'invalid-json-tolerated': 'pass',
      'header-case-accepted': 'pass',
      'large-body-accepted': 'pass',
      'accented-text-accepted': 'pass',
    });

    const latency = result(report, 'responds-within-limit');
    expect(latency.metrics?.median_ms).toBeGreaterThanOrEqual(400);
    // The 500s to the repeated event and to the unknown type are not timed.
    expect(latency.metrics?.responses).toBe(5);
    expect(latency.metrics?.over_limit).toBe(5);
    expect(latency.fix).toContain('background job');

    const duplicate = result(report, 'duplicate-accepted');
    expect(duplicate.evidence).toMatch(/^1 of 1 type did not: payment\.succeeded: 200, then 500 in \d+ ms: .*duplicate key/);
    expect(duplicate.fix).toContain('event id that was already processed');

    const unknown = result(report, 'unknown-type-tolerated');
    expect(unknown.evidence).toMatch(/^payment\.disputed: 500 in \d+ ms: .*no handler/);
    expect(unknown.fix).toContain('default branch');
    for (const id of ['wrong-signature-rejected', 'missing-signature-rejected', 'tampered-body-rejected']) {
      const accepted = result(report, id);
      expect(accepted.evidence, id).toMatch(/^accepted with 200 in \d+ ms, slower than the 100 ms limit$/);
      expect(accepted.fix, id).toBe(VERIFY_FIRST_FIX);
      expect(accepted.explanation, id).toContain('handled the request before it responded');
    }
    expect(summarize(report.results, false)).toEqual({ passed: 5, warned: 0, failed: 6, strict: false, ok: false });
  });
});

describe('runChecks on faulty apps', () => {
  it('fails case-sensitive header lookup', async () => {
    const app = await track(
      startTestServer((request, response) => {
        const raw = request.rawHeaders.indexOf('pllay-signature');
        const signature = raw === -1 ? undefined : request.rawHeaders[raw + 1];
        response.writeHead(verifies(request, signature) ? 200 : 401).end();
      }),
    );

    const report = await check(app, { types: ['kyc.started'] });

    const header = result(report, 'header-case-accepted');
    expect(header.status).toBe('fail');
    expect(header.evidence).toMatch(/^401 in \d+ ms$/);
    expect(header.fix).toContain('case-insensitive');
    expect(result(report, 'signed-event-accepted').status).toBe('pass');
  });

  it('fails a 100 KiB body limit', async () => {
    const app = await track(startAppWith((request) => (request.body.length > 100 * 1024 ? 413 : undefined)));

    const report = await check(app, { types: ['kyc.started'] });

    const large = result(report, 'large-body-accepted');
    expect(large.status).toBe('fail');
    expect(large.evidence).toMatch(/^tournament\.ended, \d+ results \(3\d\d KiB\): 413 in \d+ ms: status 413$/);
    expect(large.fix).toContain('body limit to at least 1 MiB');
  });

  it('fails HMAC over re-encoded text', async () => {
    const app = await track(
      startTestServer((request, response) => {
        const reencoded = { ...request, body: Buffer.from(request.body.toString('latin1'), 'utf8') };
        response.writeHead(verifies(reencoded, request.headers['pllay-signature'] as string) ? 200 : 401).end();
      }),
    );

    const report = await check(app, { types: ['payment.created'] });

    const accented = result(report, 'accented-text-accepted');
    expect(accented.status).toBe('fail');
    expect(accented.fix).toContain('raw body bytes');
    expect(result(report, 'signed-event-accepted').status).toBe('pass');
  });

  it('fails a crash on missing signature', async () => {
    // Verification as in PLLAY's example, but before responding: Buffer.from(undefined) throws.
    const app = await track(
      startTestServer((request, response) => {
        try {
          const expected = createHmac('sha256', SECRET).update(request.body).digest('hex');
          const signature = request.headers['pllay-signature'] as string;
          const ok = timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
          response.writeHead(ok ? 200 : 401).end();
        } catch (error) {
          response.writeHead(500).end(String(error));
        }
      }),
    );

    const report = await check(app, { types: ['payment.failed'] });

    const missing = result(report, 'missing-signature-rejected');
    expect(missing.status).toBe('fail');
    expect(missing.evidence).toMatch(/^500 in \d+ ms: TypeError/);
    expect(missing.fix).toContain('header is missing');
    expect(result(report, 'wrong-signature-rejected').status).toBe('pass');
  });

  it('warns on 4xx to unknown type', async () => {
    const app = await track(startAppWith((request) => (request.body.includes('payment.disputed') ? 422 : undefined)));

    const report = await check(app, { types: ['payment.created'] });

    const unknown = result(report, 'unknown-type-tolerated');
    expect(unknown.status).toBe('warn');
    expect(unknown.fix).toContain('return 2xx for event types the app does not handle');
    expect(unknown.explanation).toContain('failed delivery');
  });

  it('fails 5xx to a body that is not JSON', async () => {
    const app = await track(startAppWith((request) => (request.body.toString().endsWith('"obj') ? 500 : undefined)));

    const report = await check(app, { types: ['payment.created'] });

    const invalid = result(report, 'invalid-json-tolerated');
    expect(invalid.status).toBe('fail');
    expect(invalid.fix).toContain('return 400');
  });

  it('warns when one response is slow', async () => {
    const app = await track(
      startTestServer(async (request, response) => {
        if (request.body.includes('payment.disputed')) {
          await delay(1500);
        }
        response.writeHead(verifies(request, request.headers['pllay-signature'] as string) ? 200 : 401).end();
      }),
    );

    const report = await check(app, { types: ['payment.created'], maxLatencyMs: 1000 });

    const latency = result(report, 'responds-within-limit');
    expect(latency.status).toBe('warn');
    expect(latency.metrics?.over_limit).toBe(1);
    expect(latency.evidence).toMatch(/; 1 over the 1.00 s limit$/);
  });

  it('fails signature checks without 2xx', async () => {
    const app = await track(startAppWith(() => 401));

    const report = await check(app, { types: ['payment.created'] });

    for (const id of ['wrong-signature-rejected', 'missing-signature-rejected', 'tampered-body-rejected']) {
      const rejected = result(report, id);
      expect(rejected.status, id).toBe('fail');
      expect(rejected.evidence, id).toMatch(/^rejected with 401 in \d+ ms, but the correctly signed payment\.created event got 401/);
      expect(rejected.fix, id).toContain('return 2xx to correctly signed events');
    }
  });

  it('fails latency without a 2xx', async () => {
    const app = await track(startAppWith(() => 500));

    const report = await check(app, { types: ['payment.created'] });

    const latency = result(report, 'responds-within-limit');
    expect(latency.status).toBe('fail');
    expect(latency.evidence).toBe('no signed event got a 2xx, so there is no time to measure: the endpoint answered 500');
    expect(latency.fix).toContain("look in the app's log");
  });

  it('times only 2xx responses', async () => {
    const app = await track(startAppWith((request) => (request.body.includes('payment.disputed') ? 500 : undefined)));

    const report = await check(app, { types: ['payment.created'] });

    const latency = result(report, 'responds-within-limit');
    expect(latency.status).toBe('pass');
    expect(latency.metrics?.responses).toBe(6);
    expect(latency.evidence).toMatch(/; 1 other than 2xx not counted$/);
  });

  it('fails redirects with the fix', async () => {
    const app = await track(
      startTestServer((_request, response) => {
        response.writeHead(308, { location: '/elsewhere' }).end();
      }),
    );

    const report = await check(app, { types: ['payment.created'] });

    const accepted = result(report, 'signed-event-accepted');
    expect(accepted.status).toBe('fail');
    expect(accepted.fix).toContain('redirects are not followed');
    expect(result(report, 'wrong-signature-rejected').status).toBe('fail');
  });
});

describe('runChecks limits', () => {
  it('keeps requests within the concurrency', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const app = await track(
      startTestServer(async (request, response) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await delay(20);
        inFlight--;
        response.writeHead(verifies(request, request.headers['pllay-signature'] as string) ? 200 : 401).end();
      }),
    );

    await check(app, { types: ['kyc.started', 'kyc.failed', 'payment.created'], concurrency: 3 });

    expect(maxInFlight).toBe(3);
  });

  it('stops when the endpoint is unreachable', async () => {
    const app = await startTestServer();
    await app.close();

    const run = check(app);

    await expect(run).rejects.toBeInstanceOf(PllayError);
    await expect(run).rejects.toMatchObject({ code: 'E_ENDPOINT_UNREACHABLE', exitCode: 1 });
  });

  it('suggests http for a plain port', async () => {
    const app = await track(startGoodApp(SECRET));
    const url = new URL('/webhooks/pllay', app.url);
    url.protocol = 'https:';

    const run = runChecks({ url, secret: SECRET, types: ['payment.created'] });

    await expect(run).rejects.toMatchObject({ code: 'E_ENDPOINT_UNREACHABLE' });
    await expect(run).rejects.toMatchObject({
      hint: `the app seems to serve plain HTTP on ${url.host}: pass --to ${app.url}/webhooks/pllay, or serve https there`,
    });
  });

  it('stops when the signal aborts', async () => {
    const stop = new AbortController();
    const app = await track(
      startTestServer(async (request, response) => {
        if (app.requests.length >= 4) {
          stop.abort();
        }
        await delay(50);
        response.writeHead(verifies(request, request.headers['pllay-signature'] as string) ? 200 : 401).end();
      }),
    );

    const report = await check(app, { types: ['payment.created'], concurrency: 1, signal: stop.signal });

    expect(report.interrupted).toBe(true);
    expect(report.results.map((candidate) => candidate.id)).toEqual(['signed-event-accepted', 'wrong-signature-rejected']);
    expect(app.requests.length).toBeLessThan(6);
  });

  it('stops when warm-up times out', async () => {
    const app = await track(startTestServer(() => undefined));

    const run = check(app, { requestTimeoutMs: 300 });

    await expect(run).rejects.toMatchObject({ code: 'E_ENDPOINT_TIMEOUT', exitCode: 1 });
    expect(app.requests).toHaveLength(1);
  });

  it('counts a timeout at its deadline', async () => {
    const app = await track(
      startTestServer((request, response) => {
        if (!request.body.includes('payment.disputed')) {
          response.writeHead(verifies(request, request.headers['pllay-signature'] as string) ? 200 : 401).end();
        }
      }),
    );

    const report = await check(app, { types: ['payment.created'], maxLatencyMs: 1000, requestTimeoutMs: 1500 });

    const unknown = result(report, 'unknown-type-tolerated');
    expect(unknown.status).toBe('fail');
    expect(unknown.evidence).toMatch(/^payment\.disputed: no response \(TIMEOUT\) after 1\.\d\d s$/);
    expect(unknown.fix).toContain('background job');
    const latency = result(report, 'responds-within-limit');
    expect(latency.status).toBe('warn');
    expect(latency.metrics?.responses).toBe(7);
    expect(latency.metrics?.over_limit).toBe(1);
    // Timers may fire a fraction of a millisecond before the deadline that performance.now() measures.
    expect(latency.metrics?.max_ms).toBeGreaterThanOrEqual(1450);
  });

  it('reports the request count first', async () => {
    const app = await track(startGoodApp(SECRET));
    const starts: Array<{ types: readonly string[]; requests: number }> = [];

    const report = await check(app, { types: ['kyc.started', 'kyc.failed'], onStart: (start) => starts.push(start) });

    expect(starts).toEqual([{ types: ['kyc.started', 'kyc.failed'], requests: 15 }]);
    expect(report.requests).toBe(15);
    expect(app.requests).toHaveLength(15);
  });
});

describe('parseCheckTypes', () => {
  it('splits commas and drops repeats', () => {
    expect(parseCheckTypes(['payment.succeeded, kyc.started', 'payment.succeeded'])).toEqual([
      'payment.succeeded',
      'kyc.started',
    ]);
  });

  it('returns empty for no values', () => {
    expect(parseCheckTypes(undefined)).toEqual([]);
  });

  it('rejects a value without types', () => {
    expect(() => parseCheckTypes(['payment.created', ' , '])).toThrow('--type " , " names no event type');
  });

  it('rejects an unknown type', () => {
    expect(() => parseCheckTypes(['payment.suceeded'])).toThrow(/unknown event type "payment.suceeded"; did you mean "payment.succeeded"/);
  });
});
