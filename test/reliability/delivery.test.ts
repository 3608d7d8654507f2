import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, expect } from 'vitest';

import { Forwarder } from '../../src/capture/forward.js';
import { startCaptureServer, type CaptureEvent } from '../../src/capture/server.js';
import { normalizeTarget } from '../../src/delivery/target.js';
import { LogWriter, type AttemptRecord, type DeliveryRecord } from '../../src/log/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { sendRaw } from '../helpers/http.js';
import { tempDir } from '../helpers/temp.js';
import { hmac, logRecords, SECRET, stable, waitUntil } from './helpers.js';
import { reliabilitySection } from './suite.js';
import {
  backloggedTarget,
  endlessTarget,
  httpTarget,
  refusingTarget,
  silentTarget,
  type FaultyTarget,
} from './targets.js';

const section = reliabilitySection('delivery');
const cleanups: Array<() => Promise<unknown> | void> = [];
const UNKNOWN_HOST = 'http://pllay-hooks-reliability.invalid:8080';

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

function envelope(id: string, type = 'payment.succeeded'): string {
  return JSON.stringify({ id, type, created: 1761958815, data: { object: { id: `pay_${id}` } } });
}

async function target(started: Promise<FaultyTarget>): Promise<FaultyTarget> {
  const running = await started;
  cleanups.push(() => running.close());
  return running;
}

interface Outcome {
  send: CliResult;
  replay: CliResult;
  /** Delivery records that replay --log wrote, one per event. */
  replayed: DeliveryRecord[];
  /** The delivery record of listen --forward-to, and whether the sender got 200 at once. */
  forwarded: DeliveryRecord;
  senderStatus: number;
}

interface Channels {
  /** Time allowed for each delivery, as a flag value. */
  timeout: string;
  /** Event types to send and replay; one by default. */
  types?: string[];
}

/** Delivers to `url` through send, replay and the forwarding of listen, and collects what each reported. */
async function deliverThrough(url: string, channels: Channels): Promise<Outcome> {
  const folder = tempDir();
  cleanups.push(() => folder.remove());
  const types = channels.types ?? ['payment.succeeded'];
  const events = join(folder.path, 'events.ndjson');
  const replayLog = join(folder.path, 'replay.ndjson');
  writeFileSync(
    events,
    types.map((type, index) => `${envelope(`evt_replay_${index}`, type)}\n`).join(''),
  );

  const send = await runCli(
    ['send', ...types, '--to', url, '--secret', SECRET, '--timeout', channels.timeout],
    { timeoutMs: 30_000 },
  );
  const replay = await runCli(
    [
      'replay',
      events,
      '--to',
      url,
      '--secret',
      SECRET,
      '--timeout',
      channels.timeout,
      '--max-attempts',
      '2',
      '--initial-delay',
      '50ms',
      '--log',
      replayLog,
    ],
    { timeoutMs: 30_000 },
  );
  const forward = await forwardOnce(url, channels.timeout, folder.path);

  return {
    send,
    replay,
    replayed: logRecords(replayLog) as unknown as DeliveryRecord[],
    ...forward,
  };
}

/** Runs a capture server that forwards to `url`, posts one event, and returns the forward's record. */
async function forwardOnce(
  url: string,
  timeout: string,
  folder: string,
): Promise<{ forwarded: DeliveryRecord; senderStatus: number }> {
  const log = LogWriter.open(join(folder, 'capture.ndjson'));
  const forwarder = new Forwarder({ url: normalizeTarget(url), timeoutMs: parseMs(timeout) });
  const events: CaptureEvent[] = [];
  const server = await startCaptureServer({
    host: '127.0.0.1',
    port: 0,
    secrets: [SECRET],
    log,
    forwarder,
    onEvent: (event) => events.push(event),
  });
  cleanups.push(
    () => log.close(),
    () => forwarder.close(),
    () => server.close(),
  );

  const body = envelope('evt_forward');
  const response = await sendRaw(`${server.url}/webhooks/pllay`, {
    body,
    headers: { 'pllay-signature': hmac(body) },
  });
  await waitUntil(() => events.some((event) => event.kind === 'forwarded'), 30_000);
  const forwarded = events.find((event) => event.kind === 'forwarded') as Extract<
    CaptureEvent,
    { kind: 'forwarded' }
  >;
  return { forwarded: forwarded.delivery, senderStatus: response.status };
}

function parseMs(value: string): number {
  const match = /^(\d+)(ms|s)$/.exec(value)!;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

function codes(attempts: AttemptRecord[]): string {
  return attempts.map((attempt) => attempt.error_code ?? String(attempt.status)).join(', ');
}

/** Summarises an outcome where every channel failed with the same error code. */
function failedEverywhere(outcome: Outcome, code: string, message: RegExp): string {
  const line = outcome.send.stdout.split('\n').find((text) => text.startsWith('✖')) ?? '';
  const sendMessage = line.replace(/^.*\d+ B {2}/, '');

  expect(outcome.send.code).toBe(1);
  expect(sendMessage).toMatch(message);
  expect(outcome.replay.code).toBe(1);
  for (const record of outcome.replayed) {
    expect(record.ok).toBe(false);
    expect(record.attempts.map((attempt) => attempt.error_code)).toEqual([code, code]);
  }
  expect(outcome.forwarded.ok).toBe(false);
  expect(outcome.forwarded.attempts[0]!.error_code).toBe(code);
  expect(outcome.senderStatus).toBe(200);

  const replayed = outcome.replayed.map((record) => codes(record.attempts)).join('; ');
  return stable(
    `send exit 1: "${sendMessage}"; replay exit 1, attempts logged: ${replayed}; forward logged ${code}`,
  );
}

section.test('refused', async () => {
  const refusing = await target(refusingTarget());

  const outcome = await deliverThrough(refusing.url, { timeout: '5s' });

  return failedEverywhere(outcome, 'ECONNREFUSED', /^connection refused: nothing is listening at /);
});

section.test('unknown-host', async () => {
  const outcome = await deliverThrough(UNKNOWN_HOST, { timeout: '5s' });

  return failedEverywhere(
    outcome,
    'ENOTFOUND',
    /^host not found: pllay-hooks-reliability\.invalid does not resolve$/,
  );
});

section.test(
  'connect-timeout',
  async () => {
    const backlogged = await target(backloggedTarget());

    const outcome = await deliverThrough(backlogged.url, { timeout: '2s' });

    return failedEverywhere(
      outcome,
      'CONNECT_TIMEOUT',
      /^could not connect to 127\.0\.0\.1:\d+: the connection timed out$/,
    );
  },
  40_000,
);

section.test(
  'response-timeout',
  async () => {
    const hanging = await target(
      httpTarget((body, response) => {
        if (!body.toString('utf8').includes('"kyc.started"')) {
          response.writeHead(200).end('ok');
        }
      }),
    );

    const outcome = await deliverThrough(hanging.url, {
      timeout: '1s',
      types: ['kyc.started', 'payment.succeeded'],
    });
    const [hung, answered] = outcome.replayed;

    expect(outcome.send.code).toBe(1);
    expect(outcome.send.stdout).toMatch(
      /no response from http:\/\/127\.0\.0\.1:\d+\/webhooks\/pllay within 1000 ms/,
    );
    expect(outcome.send.stdout).toContain('1 delivered, 1 failed');
    expect(outcome.replay.code).toBe(1);
    expect(hung!.attempts.map((attempt) => attempt.error_code)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(answered!.ok).toBe(true);
    return (
      'send exit 1: "no response from http://127.0.0.1:PORT/webhooks/pllay within 1000 ms", the other event delivered; ' +
      `replay exit 1, attempts logged: ${codes(hung!.attempts)}; the other event: ${codes(answered!.attempts)}`
    );
  },
  40_000,
);

section.test('closed-early', async () => {
  const closing = await target(
    httpTarget((_body, response, socket) => {
      response.writeHead(200, { 'content-length': 1000 });
      response.write('{"partial":');
      setTimeout(() => socket.destroy(), 20);
    }),
  );

  const outcome = await deliverThrough(closing.url, { timeout: '5s' });

  return failedEverywhere(
    outcome,
    'ECONNRESET',
    /^127\.0\.0\.1:\d+ closed the connection before it finished answering$/,
  );
});

section.test('huge-response', async () => {
  const endless = await endlessTarget();
  cleanups.push(() => endless.close());

  const outcome = await deliverThrough(endless.url, { timeout: '10s' });
  const sent = endless.sent();

  expect(outcome.send.code).toBe(0);
  expect(outcome.replay.code).toBe(0);
  expect(outcome.replayed[0]!.attempts).toHaveLength(1);
  expect(outcome.replayed[0]!.attempts[0]!.response).toHaveLength(1024);
  expect(outcome.forwarded.ok).toBe(true);
  expect(sent).toBeLessThan(100 * 1024 * 1024);
  return 'send exit 0, replay exit 0 with a 1024-byte snippet logged, forward ok; the server wrote under 100 MiB in all before each connection was dropped';
});

section.test('redirect', async () => {
  const redirecting = await target(
    httpTarget((_body, response) => {
      response.writeHead(302, { location: '/moved/here' }).end();
    }),
  );

  const outcome = await deliverThrough(redirecting.url, { timeout: '5s' });

  expect(outcome.send.code).toBe(1);
  expect(outcome.send.stdout).toContain(
    'redirected with 302 to /moved/here; redirects are not followed',
  );
  expect(outcome.replay.code).toBe(1);
  expect(outcome.replayed[0]!.attempts).toEqual([
    expect.objectContaining({ status: 302, location: '/moved/here' }),
  ]);
  expect(outcome.forwarded.attempts[0]).toMatchObject({ status: 302, location: '/moved/here' });
  expect(redirecting.requests()).toBe(3);
  return 'send exit 1: "redirected with 302 to /moved/here; redirects are not followed, …"; replay exit 1 after 1 attempt (302, not retried); forward logged 302; 3 requests in all';
});

section.test(
  'silent-target',
  async () => {
    const silent = await target(silentTarget());

    const outcome = await deliverThrough(silent.url, {
      timeout: '500ms',
      types: ['kyc.started', 'payment.succeeded'],
    });

    expect(outcome.send.stdout).toContain('0 delivered, 2 failed');
    expect(outcome.replayed).toHaveLength(2);
    return failedEverywhere(
      outcome,
      'TIMEOUT',
      /^no response from http:\/\/127\.0\.0\.1:\d+\/webhooks\/pllay within 500 ms$/,
    );
  },
  40_000,
);

section.checkDoc();
