import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';

import { afterEach, expect } from 'vitest';

import { LogWriter, openLog, readLogLines } from '../../src/log/index.js';
import { BIN, cliEnv, runCli } from '../helpers/cli.js';
import { sendRaw } from '../helpers/http.js';
import { startListen } from '../helpers/listen.js';
import { startTestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { hmac, logRecords, originOf, SECRET, waitUntil } from './helpers.js';
import { reliabilitySection } from './suite.js';

const section = reliabilitySection('durability');
const cleanups: Array<() => Promise<unknown> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

function folder(): string {
  const temp = tempDir();
  cleanups.push(() => temp.remove());
  return temp.path;
}

function envelope(id: string): string {
  return JSON.stringify({
    id,
    type: 'payment.succeeded',
    created: 1761958815,
    data: { object: { id: `pay_${id}`, amount: 1000 } },
  });
}

/** POSTs one signed event over a shared keep-alive agent and resolves with the status. */
function post(agent: Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'pllay-signature': hmac(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

/** Splits a log into its complete records and a last line without a newline, if any. */
function readRaw(path: string): {
  records: Array<Record<string, unknown>>;
  torn: string | undefined;
} {
  const lines = readFileSync(path, 'utf8').split('\n');
  const last = lines.pop();
  return {
    records: lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    torn: last === '' ? undefined : last,
  };
}

section.test('ack-after-write', async () => {
  const running = await startListen(['--secret', SECRET]);
  cleanups.push(
    () => running.remove(),
    () => running.cli.stop(),
  );
  const unit = join(folder(), 'unit.ndjson');
  const writer = LogWriter.open(unit);
  cleanups.push(() => writer.close());

  await writer.append({ id: 'evt_unit' });
  const writtenBeforeClose = readFileSync(unit, 'utf8');
  let readable = 0;
  for (let index = 0; index < 20; index++) {
    const id = `evt_ack_${index}`;
    const response = await sendRaw(running.url, {
      body: envelope(id),
      headers: { 'pllay-signature': hmac(envelope(id)) },
    });
    expect(response.status).toBe(200);
    readable += readFileSync(running.log, 'utf8').includes(`"event_id":"${id}"`) ? 1 : 0;
  }

  expect(writtenBeforeClose).toBe('{"id":"evt_unit"}\n');
  expect(readable).toBe(20);
  return `${readable} of 20 records readable the moment their 200 arrived; LogWriter.append resolves after the write`;
});

section.test(
  'kill',
  async () => {
    const running = await startListen(['--secret', SECRET]);
    cleanups.push(
      () => running.remove(),
      () => running.cli.stop(),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    cleanups.push(() => agent.destroy());
    const acknowledged: string[] = [];
    let killed = false;

    const senders = Array.from({ length: 16 }, async (_, lane) => {
      for (let number = 0; !killed; number++) {
        const id = `evt_kill_${lane}_${number}`;
        const status = await post(agent, running.url, envelope(id)).catch(() => undefined);
        if (status === undefined) {
          return;
        }
        if (status >= 200 && status < 300) {
          acknowledged.push(id);
        }
      }
    });
    await waitUntil(() => acknowledged.length >= 1000, 20_000);
    running.cli.child.kill('SIGKILL');
    killed = true;
    await Promise.all(senders);
    await running.cli.stop();

    const { records, torn } = readRaw(running.log);
    const logged = new Set(records.map((record) => record.event_id));
    const lost = acknowledged.filter((id) => !logged.has(id));

    expect(running.cli.child.signalCode).toBe('SIGKILL');
    expect(lost).toEqual([]);
    expect(records.length).toBeGreaterThanOrEqual(acknowledged.length);
    // readRaw parsed every line but the last, so only the last line can be torn.
    expect(torn === undefined || !torn.includes('\n')).toBe(true);
    return 'killed with at least 1000 events acknowledged by 16 senders: none lost; every line but the last parses';
  },
  30_000,
);

section.test('torn-readers', async () => {
  const running = await startListen(['--secret', SECRET]);
  cleanups.push(
    () => running.remove(),
    () => running.cli.stop(),
  );
  for (const id of ['evt_torn_1', 'evt_torn_2', 'evt_torn_3']) {
    await sendRaw(running.url, {
      body: envelope(id),
      headers: { 'pllay-signature': hmac(envelope(id)) },
    });
  }
  await running.cli.stop();
  const whole = `${JSON.stringify(logRecords(running.log)[0])}`;
  appendFileSync(running.log, whole.slice(0, Math.floor(whole.length / 2)));

  const torn: number[] = [];
  const lines = [];
  for await (const line of readLogLines(openLog(running.log), (number) => torn.push(number))) {
    lines.push(line);
  }
  const target = await startTestServer();
  cleanups.push(() => target.close());
  const replay = await runCli(['replay', running.log, '--to', target.url, '--secret', SECRET]);
  const verify = await runCli(['verify', '--record', running.log, '--secret', SECRET, '--json']);

  expect(lines.filter((line) => 'value' in line)).toHaveLength(3);
  expect(lines.filter((line) => 'error' in line)).toHaveLength(0);
  expect(torn).toEqual([4]);
  expect(replay.code).toBe(0);
  expect(replay.stderr).toContain(`${running.log}:4: skipped the last line, which is incomplete`);
  expect(target.requests).toHaveLength(3);
  expect(verify.code).toBe(0);
  expect(JSON.parse(verify.stdout)).toMatchObject({ valid: true, source: `${running.log}:3` });
  return 'log reader: 3 records, line 4 reported torn; replay: 3 sent, exit 0; verify --record: checks line 3, valid';
});

/** Starts `listen` under `ulimit -f`, so that the log cannot grow past a few kilobytes. */
async function startLimitedListen(
  log: string,
): Promise<{ child: ChildProcess; url: string; stderr(): string }> {
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      'ulimit -f 8 && exec "$0" "$@"',
      process.execPath,
      BIN,
      'listen',
      '--port',
      '0',
      '--log',
      log,
      '--secret',
      SECRET,
    ],
    { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'close');
    }
  });

  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await waitUntil(() => /^Listening on (\S+)/m.test(stdout));
  return { child, url: /^Listening on (\S+)/m.exec(stdout)![1]!, stderr: () => stderr };
}

section.test('write-fails', async () => {
  const log = join(folder(), 'capture.ndjson');
  const running = await startLimitedListen(log);
  const statuses = new Map<string, number>();

  for (let index = 0; index < 60 && ![...statuses.values()].includes(500); index++) {
    const id = `evt_full_${index}`;
    const response = await sendRaw(running.url, {
      body: envelope(id),
      headers: { 'pllay-signature': hmac(envelope(id)) },
    });
    statuses.set(id, response.status);
  }
  const health = await sendRaw(`${originOf(running.url)}/health`, { method: 'GET' });
  const { records, torn } = readRaw(log);
  const logged = new Set(records.map((record) => record.event_id));
  const acknowledged = [...statuses].filter(([, status]) => status === 200).map(([id]) => id);

  expect([...statuses.values()]).toContain(500);
  expect(acknowledged.length).toBeGreaterThan(0);
  expect(acknowledged.filter((id) => !logged.has(id))).toEqual([]);
  expect(running.stderr()).toContain(`error: cannot write to the log file ${log}: EFBIG`);
  expect(health.status).toBe(200);
  expect(torn === undefined || !torn.includes('\n')).toBe(true);
  return '200 only for logged records, then 500 with "cannot write to the log file …: EFBIG" on stderr; still serving';
});

section.test('unwritable', async () => {
  const path = folder();

  const result = await runCli(['listen', '--port', '0', '--log', path]);

  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`cannot write the log file ${path}`);
  expect(result.stdout).toBe('');
  return `exit ${result.code}, "cannot write the log file <folder>: EISDIR …" before listening`;
});

section.test('port-taken', async () => {
  const occupant = await startTestServer();
  cleanups.push(() => occupant.close());
  const base = folder();
  const log = join(base, 'new', 'logs', 'capture.ndjson');

  const result = await runCli(['listen', '--port', String(occupant.port), '--log', log]);

  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`port ${occupant.port} on 127.0.0.1 is already in use`);
  expect(existsSync(join(base, 'new'))).toBe(false);
  return `exit ${result.code}, "port PORT on 127.0.0.1 is already in use"; no log file or folder created`;
});

section.checkDoc();
