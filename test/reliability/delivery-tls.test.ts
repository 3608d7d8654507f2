import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeAll, expect } from 'vitest';

import { runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { sendRaw } from '../helpers/http.js';
import { startListen } from '../helpers/listen.js';
import { tempDir } from '../helpers/temp.js';
import { hmac, logRecords, SECRET, stable, waitUntil } from './helpers.js';
import { reliabilitySection } from './suite.js';
import {
  httpTarget,
  makeCertificate,
  tlsTarget,
  type Certificate,
  type FaultyTarget,
} from './targets.js';

const section = reliabilitySection('tls-interrupts');
const cleanups: Array<() => Promise<unknown> | void> = [];
let certificate: Certificate;
let folder: string;

beforeAll(() => {
  const temp = tempDir();
  folder = temp.path;
  const generated = makeCertificate(folder);
  if (generated === undefined) {
    throw new Error('openssl must be on the PATH to make the test certificate');
  }
  certificate = generated;
  return () => temp.remove();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

function envelope(id: string): string {
  return JSON.stringify({
    id,
    type: 'payment.succeeded',
    created: 1761958815,
    data: { object: { id: `pay_${id}` } },
  });
}

async function started(target: Promise<FaultyTarget>): Promise<FaultyTarget> {
  const running = await target;
  cleanups.push(() => running.close());
  return running;
}

function eventsFile(count: number): string {
  const path = join(folder, `events-${count}-${Date.now()}.ndjson`);
  writeFileSync(
    path,
    Array.from({ length: count }, (_, index) => `${envelope(`evt_tls_${index}`)}\n`).join(''),
  );
  return path;
}

function running(cli: RunningCli): RunningCli {
  cleanups.push(() => cli.stop());
  return cli;
}

/** Forwards one event through `listen --forward-to` and returns the delivery record it logged. */
async function forwardThroughListen(
  url: string,
  flags: string[],
): Promise<Record<string, unknown>> {
  const listen = await startListen(['--secret', SECRET, '--forward-to', url, ...flags]);
  cleanups.push(
    () => listen.remove(),
    () => listen.cli.stop(),
  );

  const body = envelope('evt_forward_tls');
  await sendRaw(listen.url, { body, headers: { 'pllay-signature': hmac(body) } });
  await waitUntil(() => logRecords(listen.log).some((record) => record.kind === 'delivery'));
  return logRecords(listen.log).find((record) => record.kind === 'delivery')!;
}

const TLS_MESSAGE =
  /TLS handshake with 127\.0\.0\.1:\d+ failed: self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\); pass --ca-cert FILE to trust its certificate, or --insecure to skip the check/;

section.test('tls-self-signed', async () => {
  const server = await started(tlsTarget(certificate));

  const send = await runCli(['send', 'payment.succeeded', '--to', server.url, '--secret', SECRET]);
  const replayLog = join(folder, 'tls-replay.ndjson');
  const replay = await runCli([
    'replay',
    eventsFile(1),
    '--to',
    server.url,
    '--secret',
    SECRET,
    '--log',
    replayLog,
  ]);
  const check = await runCli(['check', '--to', server.url, '--secret', SECRET]);
  const forwarded = await forwardThroughListen(server.url, []);

  expect(send.code).toBe(1);
  expect(send.stdout).toMatch(TLS_MESSAGE);
  expect(replay.code).toBe(1);
  expect(logRecords(replayLog)[0]!.attempts).toEqual([
    expect.objectContaining({ error_code: 'TLS' }),
  ]);
  expect(check.code).toBe(1);
  expect(check.stderr).toMatch(TLS_MESSAGE);
  expect(check.stderr).toContain('[E_ENDPOINT_UNREACHABLE]');
  expect(forwarded).toMatchObject({
    ok: false,
    attempts: [expect.objectContaining({ error_code: 'TLS' })],
  });
  expect(server.requests()).toBe(0);
  const message = TLS_MESSAGE.exec(send.stdout)![0];
  return stable(
    `send, replay (1 attempt, not retried) and check exit 1 with "${message}"; forward logged TLS`,
  );
});

/** Checks that every command reaches the https server with the given flags. */
async function expectDelivered(flags: string[]): Promise<string> {
  const server = await started(tlsTarget(certificate));

  const send = await runCli([
    'send',
    'payment.succeeded',
    '--to',
    server.url,
    '--secret',
    SECRET,
    ...flags,
  ]);
  const replay = await runCli([
    'replay',
    eventsFile(1),
    '--to',
    server.url,
    '--secret',
    SECRET,
    ...flags,
  ]);
  const check = await runCli([
    'check',
    '--to',
    server.url,
    '--secret',
    SECRET,
    '--type',
    'kyc.started',
    ...flags,
  ]);
  const forwarded = await forwardThroughListen(server.url, flags);

  expect(send.code).toBe(0);
  expect(replay.code).toBe(0);
  expect(check.stderr).not.toContain('E_ENDPOINT_UNREACHABLE');
  expect(check.stdout).toContain('checks');
  expect(forwarded).toMatchObject({ ok: true });
  return `send exit 0, replay exit 0, check scores the endpoint, forward ok with listen ${flags[0]}`;
}

section.test('tls-insecure', () => expectDelivered(['--insecure']));

section.test('tls-ca-cert', () => expectDelivered(['--ca-cert', certificate.certPath]));

section.test('send-interrupt', async () => {
  const slow = await started(
    httpTarget((_body, response) => setTimeout(() => response.writeHead(200).end('ok'), 300)),
  );
  const cli = running(startCli(['send', '--all', '--to', slow.url, '--secret', SECRET]));
  await cli.waitForLine(/^✔/m);

  const code = await cli.stop('SIGINT');
  const delivered = cli
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('✔')).length;

  const hung = await started(httpTarget(() => undefined));
  const second = running(
    startCli(['send', 'kyc.started', '--to', hung.url, '--secret', SECRET, '--timeout', '30s']),
  );
  await waitUntil(() => hung.requests() === 1);
  second.child.kill('SIGINT');
  await waitUntil(() => second.stderr().includes('press Ctrl-C again'));
  const secondCode = await second.stop('SIGINT');

  expect(code).toBe(130);
  expect(delivered).toBeGreaterThan(0);
  expect(delivered).toBeLessThan(13);
  expect(slow.requests()).toBe(delivered);
  expect(cli.stdout()).toContain(`${delivered} delivered, 0 failed`);
  expect(cli.stderr()).toContain(
    `Interrupted: ${delivered} of 13 events delivered, ${13 - delivered} not sent.`,
  );
  expect(secondCode).toBe(130);
  expect(second.stdout()).toContain('0 delivered, 0 failed, 1 cancelled');
  return 'exit 130 with "Interrupted: N of 13 events delivered, M not sent"; the delivery in flight finishes, a second Ctrl-C cancels it';
});

section.test('replay-interrupt', async () => {
  const slow = await started(
    httpTarget((_body, response) => setTimeout(() => response.writeHead(200).end('ok'), 300)),
  );
  const events = eventsFile(6);
  const state = join(folder, 'interrupt.state');
  const args = ['replay', events, '--to', slow.url, '--secret', SECRET, '--state', state];
  const cli = running(startCli(args));
  await waitUntil(() => existsSync(state) && readFileSync(state, 'utf8').includes('\n'));

  const code = await cli.stop('SIGINT');
  const saved = logRecords(state).filter((record) => record.ok === true).length;
  const rerun = await runCli(args);

  expect(code).toBe(130);
  expect(cli.stderr()).toContain(`State saved to ${state}; run the same command again to resume.`);
  expect(saved).toBeGreaterThan(0);
  expect(saved).toBeLessThan(6);
  expect(rerun.code).toBe(0);
  expect(slow.requests()).toBe(6);
  expect(logRecords(state).filter((record) => record.ok === true)).toHaveLength(6);
  return 'exit 130, "State saved to … run the same command again to resume"; the rerun sends only the rest: 6 requests in all';
});

section.checkDoc();
