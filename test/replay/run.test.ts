import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';

import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../src/replay/backoff.js';
import { runReplay, type RunReplayOptions } from '../../src/replay/replay.js';
import { startTestServer, type TestHandler, type TestServer } from '../helpers/server.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_replay';
const servers: TestServer[] = [];
const folders: Array<{ remove(): void }> = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

function envelope(id: string, type = 'payment.succeeded'): string {
  return JSON.stringify({
    id,
    type,
    created: 1_700_000_000,
    data: { object: { id: `pay_${id}` } },
  });
}

function folder(): string {
  const made = tempDir();
  folders.push(made);
  return made.path;
}

function writeLog(lines: string[]): string {
  const path = join(folder(), 'events.ndjson');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Responds to each request with the next status of the script, and the last status after that. */
function scripted(statuses: Array<number | [number, Record<string, string>]>): TestHandler {
  return (_request, response, index) => {
    const step = statuses[Math.min(index, statuses.length - 1)]!;
    const [status, headers] = Array.isArray(step) ? step : [step, {}];
    response
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(`{"status":${status}}`);
  };
}

async function server(handler: TestHandler): Promise<TestServer> {
  const started = await startTestServer(handler);
  servers.push(started);
  return started;
}

function policy(overrides: Partial<BackoffPolicy>): BackoffPolicy {
  return { ...DEFAULT_BACKOFF, ...overrides };
}

function replay(paths: string[], url: string, overrides: Partial<RunReplayOptions> = {}) {
  return runReplay({
    paths,
    stdin: Readable.from([]),
    selection: { failed: false, types: [], ids: [], dedupe: true },
    url: new URL(`${url}/webhooks/pllay`),
    signing: { kind: 'secret', secret: SECRET },
    policy: policy({ initialDelayMs: 100 }),
    ...overrides,
  });
}

function gaps(target: TestServer): number[] {
  return target.requests.slice(1).map((request, index) => request.at - target.requests[index]!.at);
}

describe('replay retries', () => {
  it('retries 503 twice then delivers', async () => {
    const app = await server(scripted([503, 503, 200]));

    const { summary } = await replay([writeLog([envelope('evt_1')])], app.url);

    expect(summary).toMatchObject({ delivered: 1, failed: 0, attempts: 3 });
    expect(app.requests).toHaveLength(3);
    const [first, second] = gaps(app);
    expect(first).toBeGreaterThanOrEqual(90);
    expect(first).toBeLessThan(2000);
    expect(second).toBeGreaterThanOrEqual(180);
    expect(second).toBeLessThan(2000);
  });

  it('follows a linear backoff', async () => {
    const app = await server(scripted([500, 500, 500, 200]));

    await replay([writeLog([envelope('evt_1')])], app.url, {
      policy: policy({ strategy: 'linear', initialDelayMs: 100 }),
    });

    const [first, second, third] = gaps(app);
    expect(first).toBeGreaterThanOrEqual(90);
    expect(second).toBeGreaterThanOrEqual(180);
    expect(third).toBeGreaterThanOrEqual(270);
    expect(third).toBeLessThan(2000);
  });

  it('waits for Retry-After', async () => {
    const app = await server(scripted([[429, { 'retry-after': '1' }], 200]));

    const { summary } = await replay([writeLog([envelope('evt_1')])], app.url, {
      policy: policy({ initialDelayMs: 10 }),
    });

    expect(summary.delivered).toBe(1);
    expect(gaps(app)[0]).toBeGreaterThanOrEqual(900);
    expect(gaps(app)[0]).toBeLessThan(3000);
  });

  it('does not retry 400', async () => {
    const app = await server(scripted([400, 200]));
    const results: string[] = [];

    const { summary } = await replay([writeLog([envelope('evt_1')])], app.url, {
      onResult: (result) => results.push(result.reason),
    });

    expect(app.requests).toHaveLength(1);
    expect(summary).toMatchObject({ delivered: 0, failed: 1, attempts: 1 });
    expect(results[0]).toBe('rejected with 400; not retried');
  });

  it('does not retry 410 Gone', async () => {
    const app = await server(scripted([410, 200]));

    const { summary } = await replay([writeLog([envelope('evt_1')])], app.url);

    expect(app.requests).toHaveLength(1);
    expect(summary.failed).toBe(1);
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await server(scripted([200]));
    const app = await server(scripted([[307, { location: `${elsewhere.url}/webhooks/pllay` }]]));

    const { summary } = await replay([writeLog([envelope('evt_1')])], app.url);

    expect(summary.failed).toBe(1);
    expect(app.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('reaches a server that starts late', async () => {
    const port = await freePort();
    const late = new Promise<TestServer>((resolve) => {
      setTimeout(() => resolve(startLateServer(port)), 1000);
    });

    const { summary } = await replay([writeLog([envelope('evt_1')])], `http://127.0.0.1:${port}`, {
      policy: policy({ initialDelayMs: 200, maxAttempts: 10, maxDelayMs: 1000 }),
    });
    const app = await late;

    expect(summary.delivered).toBe(1);
    expect(summary.attempts).toBeGreaterThan(1);
    expect(app.requests).toHaveLength(1);
  });

  it('gives up at the deadline', async () => {
    const app = await server(scripted([503]));
    const started = Date.now();

    const { summary } = await replay([writeLog([envelope('evt_1'), envelope('evt_2')])], app.url, {
      policy: policy({ strategy: 'constant', initialDelayMs: 200, maxAttempts: 100 }),
      deadlineMs: 1500,
    });

    expect(summary.failed).toBe(2);
    expect(summary.delivered).toBe(0);
    expect(app.requests.length).toBeGreaterThan(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up after the last attempt', async () => {
    const app = await server(scripted([503]));
    const reasons: string[] = [];

    await replay([writeLog([envelope('evt_1')])], app.url, {
      policy: policy({ initialDelayMs: 10, maxAttempts: 3 }),
      onResult: (result) => reasons.push(result.reason),
    });

    expect(app.requests).toHaveLength(3);
    expect(reasons).toEqual(['gave up after 3 attempts: rejected with 503']);
  });

  it('runs events in parallel in order', async () => {
    const app = await server((request, response) => {
      const seen = app.requests.filter((other) => other.body.equals(request.body)).length;
      response.writeHead(seen === 1 ? 503 : 200).end();
    });

    const { summary } = await replay(
      [writeLog([envelope('evt_1'), envelope('evt_2'), envelope('evt_3')])],
      app.url,
      { concurrency: 3 },
    );

    const ids = app.requests.map(
      (request) => (JSON.parse(request.body.toString()) as { id: string }).id,
    );
    expect(summary.delivered).toBe(3);
    expect(new Set(ids.slice(0, 3)).size).toBe(3);
    expect(ids).toHaveLength(6);
  });

  it('stops between attempts when asked', async () => {
    const app = await server(scripted([503]));
    const stop = new AbortController();

    const { summary } = await replay([writeLog([envelope('evt_1'), envelope('evt_2')])], app.url, {
      policy: policy({ initialDelayMs: 5000 }),
      stopSignal: stop.signal,
      onProgress: (progress) => {
        if (progress.kind === 'attempt') {
          stop.abort();
        }
      },
    });

    expect(app.requests).toHaveLength(1);
    expect(summary).toMatchObject({ stopped: true, interrupted: 1, notReached: 1, delivered: 0 });
  });

  it('cancels attempts in flight when asked', async () => {
    const app = await server(() => undefined);
    const stop = new AbortController();
    const cancel = new AbortController();
    const reasons: string[] = [];
    const waiting = replay([writeLog([envelope('evt_1')])], app.url, {
      stopSignal: stop.signal,
      cancelSignal: cancel.signal,
      onResult: (result) => reasons.push(result.reason),
    });

    await until(() => app.requests.length === 1);
    stop.abort();
    cancel.abort();
    const { summary } = await waiting;

    expect(summary).toMatchObject({ interrupted: 1, failed: 0, attempts: 1, stopped: true });
    expect(reasons).toEqual(['interrupted during an attempt']);
  });
});

describe('replay fidelity', () => {
  it('sends the logged bytes and signs them', async () => {
    const app = await server(scripted([200]));
    const body =
      '{ "id":"evt_1",  "type":"payment.succeeded","created":1,"data":{"object":{"s":"caf\\u00e9\\n\\"q\\""}} }';

    await replay([writeLog([body])], app.url);

    const received = app.requests[0]!;
    expect(received.body.toString('utf8')).toBe(body);
    expect(received.headers['pllay-signature']).toBe(
      createHmac('sha256', SECRET).update(body).digest('hex'),
    );
  });

  it('keeps the logged signature header', async () => {
    const app = await server(scripted([200]));
    const record = {
      kind: 'capture',
      event_id: 'evt_1',
      type: 'payment.succeeded',
      received_at: '2025-01-31T12:00:00Z',
      headers: { 'x-pllay-signature': 'sha256=0123' },
      signature_header: 'x-pllay-signature',
      body: envelope('evt_1'),
      signature: 'invalid',
    };

    await replay([writeLog([JSON.stringify(record)])], app.url, { signing: { kind: 'keep' } });

    expect(app.requests[0]!.headers['x-pllay-signature']).toBe('sha256=0123');
    expect(app.requests[0]!.headers['pllay-signature']).toBeUndefined();
    expect(app.requests[0]!.body.toString()).toBe(envelope('evt_1'));
  });
});

describe('replay records', () => {
  it('skips events the state file marks delivered', async () => {
    const app = await server(scripted([200]));
    const state = join(folder(), 'state.ndjson');
    const log = writeLog([envelope('evt_1'), envelope('evt_2')]);

    const first = await replay([log], app.url, { statePath: state });
    const second = await replay([log], app.url, { statePath: state });

    expect(first.summary.delivered).toBe(2);
    expect(second.summary).toMatchObject({ delivered: 0, skipped: 2 });
    expect(app.requests).toHaveLength(2);
    expect(readNdjson(state).map((line) => line.event_id)).toEqual(['evt_1', 'evt_2']);
  });

  it('writes a delivery log that --failed reads back', async () => {
    const app = await server((request, response) => {
      response.writeHead(request.body.includes('evt_bad') ? 500 : 200).end();
    });
    const deliveries = join(folder(), 'deliveries.ndjson');

    await replay([writeLog([envelope('evt_ok'), envelope('evt_bad')])], app.url, {
      logPath: deliveries,
      policy: policy({ maxAttempts: 2, initialDelayMs: 10 }),
    });
    const again = await replay([deliveries], app.url, {
      selection: { failed: true, types: [], ids: [], dedupe: true },
      policy: policy({ maxAttempts: 1 }),
    });

    const records = readNdjson(deliveries);
    expect(
      records
        .slice(0, 2)
        .map((record) => [record.event_id, record.ok, (record.attempts as unknown[]).length]),
    ).toEqual([
      ['evt_ok', true, 1],
      ['evt_bad', false, 2],
    ]);
    expect(again.summary.selected).toBe(1);
    expect(app.requests.at(-1)!.body.toString()).toBe(envelope('evt_bad'));
  });

  it('writes a JUnit report that parses', async () => {
    const app = await server((request, response) => {
      response.writeHead(request.body.includes('evt_bad') ? 400 : 200).end();
    });
    const report = join(folder(), 'reports', 'junit.xml');
    const nasty = 'type<&>"\'\u0001\ud800';

    await replay([writeLog([envelope('evt_ok'), envelope('evt_bad', nasty)])], app.url, {
      reportPath: report,
    });

    const xml = readFileSync(report, 'utf8');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      xml,
    ) as {
      testsuites: {
        tests: string;
        failures: string;
        testsuite: { testcase: Array<Record<string, unknown>> };
      };
    };
    const cases = parsed.testsuites.testsuite.testcase;
    expect(parsed.testsuites.tests).toBe('2');
    expect(parsed.testsuites.failures).toBe('1');
    expect(cases.map((testCase) => testCase.name)).toEqual([
      expect.stringContaining('evt_ok'),
      expect.stringContaining('evt_bad'),
    ]);
    expect(cases[1]!.classname).toBe('type<&>"\'\uFFFD\uFFFD');
    expect(cases[1]!.failure).toMatchObject({ message: 'rejected with 400; not retried' });
    expect(cases[0]!.failure).toBeUndefined();
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 5000) {
      throw new Error('condition not met within 5 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function startLateServer(port: number): Promise<TestServer> {
  const { createServer } = await import('node:http');
  const requests: TestServer['requests'] = [];
  const late = createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      rawHeaders: request.rawHeaders,
      body: Buffer.alloc(0),
      at: Date.now(),
    });
    request.resume();
    response.writeHead(200).end('{}');
  });
  await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
  const started: TestServer = {
    server: late,
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: async () => {
      late.closeAllConnections();
      await new Promise<void>((resolve) => late.close(() => resolve()));
    },
  };
  servers.push(started);
  return started;
}
