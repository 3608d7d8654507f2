import { createHmac } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { DEFAULT_BACKOFF } from '../../src/replay/backoff.js';
import type { LoggedEvent } from '../../src/replay/extract.js';
import { replayEvent, type ReplayProgress } from '../../src/replay/run.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'whsec_test_replay_event';
const BODY = '{"id":"evt_1","type":"payment.succeeded","data":{"object":{}}}';
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function event(): LoggedEvent {
  return { id: 'evt_1', type: 'payment.succeeded', body: Buffer.from(BODY), shape: 'capture', file: 'capture.ndjson', line: 1 };
}

async function app(statuses: number[]): Promise<TestServer> {
  const server = await startTestServer((_request, response, index) => {
    response.writeHead(statuses[Math.min(index, statuses.length - 1)]!).end();
  });
  servers.push(server);
  return server;
}

describe('replayEvent', () => {
  it('retries until delivered', async () => {
    const target = await app([500, 200]);
    const progress: ReplayProgress[] = [];

    const result = await replayEvent(event(), {
      url: new URL(`${target.url}/webhooks/pllay`),
      signing: { kind: 'secret', secret: SECRET },
      policy: { ...DEFAULT_BACKOFF, initialDelayMs: 10 },
      onProgress: (item) => progress.push(item),
    });

    expect(result.outcome).toBe('delivered');
    expect(result.attempts.map((attempt) => attempt.result.status)).toEqual([500, 200]);
    expect(target.requests[1]!.headers['pllay-signature']).toBe(createHmac('sha256', SECRET).update(BODY).digest('hex'));
    expect(progress.map((item) => item.kind)).toEqual(['attempt', 'attempt', 'result']);
  });

  it('stops at a permanent failure', async () => {
    const target = await app([404]);

    const result = await replayEvent(event(), {
      url: new URL(`${target.url}/webhooks/pllay`),
      signing: { kind: 'keep' },
      policy: { ...DEFAULT_BACKOFF, initialDelayMs: 10 },
    });

    expect(result.outcome).toBe('failed');
    expect(result.reason).toBe('rejected with 404; not retried');
    expect(target.requests).toHaveLength(1);
  });

  it('does not start once stopped', async () => {
    const target = await app([200]);
    const stop = new AbortController();
    stop.abort();

    const result = await replayEvent(event(), {
      url: new URL(`${target.url}/webhooks/pllay`),
      signing: { kind: 'keep' },
      policy: DEFAULT_BACKOFF,
      stopSignal: stop.signal,
    });

    expect(result.outcome).toBe('interrupted');
    expect(result.attempts).toHaveLength(0);
    expect(target.requests).toHaveLength(0);
  });
});
