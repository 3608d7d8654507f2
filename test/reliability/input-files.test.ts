import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, expect } from 'vitest';

import { BIN, cliEnv, runCli, type CliResult } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { SECRET, stable } from './helpers.js';
import { reliabilitySection } from './suite.js';

const section = reliabilitySection('input-files');
const cleanups: Array<() => Promise<unknown> | void> = [];
const ENVELOPE =
  '{"id":"evt_file_1","type":"kyc.started","created":1761958815,"data":{"object":{}}}';

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

async function target(): Promise<TestServer> {
  const running = await startTestServer();
  cleanups.push(() => running.close());
  return running;
}

/** Writes files into a fresh folder and returns their paths by name. */
function files(contents: Record<string, string>): Record<string, string> & { folder: string } {
  const base = folder();
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(contents)) {
    paths[name] = join(base, name);
    writeFileSync(paths[name]!, text);
  }
  return Object.assign(paths, { folder: base });
}

/** Checks a usage failure: exit 2, an error line that contains `expected`, no stack trace. */
function expectUsageError(result: CliResult, expected: string | RegExp, base: string): string {
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('error: '));
  const first = errors[0] ?? '';

  expect(result.code).toBe(2);
  expect(errors).toHaveLength(1);
  expect(first).toMatch(expected);
  expect(result.stderr).not.toContain('internal error');
  expect(result.stderr).not.toMatch(/^\s+at /m);
  return `exit 2: ${stable(first, [base])}`;
}

function sendArgs(server: TestServer, ...extra: string[]): string[] {
  return ['send', 'kyc.started', '--to', server.url, '--secret', SECRET, ...extra];
}

section.test('payload-missing', async () => {
  const base = folder();
  const server = await target();

  const result = await runCli([
    'send',
    '--payload',
    join(base, 'body.json'),
    '--to',
    server.url,
    '--secret',
    SECRET,
  ]);

  expect(server.requests).toHaveLength(0);
  return expectUsageError(result, `${join(base, 'body.json')}: file not found`, base);
});

section.test('payload-folder', async () => {
  const base = folder();

  const result = await runCli([
    'send',
    '--payload',
    base,
    '--to',
    'http://127.0.0.1:9',
    '--secret',
    SECRET,
  ]);

  return expectUsageError(result, `cannot read --payload file ${base}`, base);
});

section.test('payload-empty', async () => {
  const paths = files({ 'empty.json': '' });

  const result = await runCli([
    'send',
    '--payload',
    paths['empty.json']!,
    '--to',
    'http://127.0.0.1:9',
    '--secret',
    SECRET,
  ]);

  return expectUsageError(result, `--payload file ${paths['empty.json']} is empty`, paths.folder);
});

section.test('data-malformed', async () => {
  const paths = files({ 'data.json': '{\n  "amount": 100,\n  "currency": USD\n}\n' });
  const server = await target();

  const result = await runCli(sendArgs(server, '--data', paths['data.json']!));

  expect(server.requests).toHaveLength(0);
  return expectUsageError(
    result,
    `--data file ${paths['data.json']}:3:15 is not valid JSON`,
    paths.folder,
  );
});

section.test('data-not-object', async () => {
  const paths = files({ 'data.json': '[1, 2]' });

  const result = await runCli(sendArgs(await target(), '--data', paths['data.json']!));

  return expectUsageError(result, 'must hold a JSON object, not an array', paths.folder);
});

section.test('config-malformed', async () => {
  const paths = files({
    'pllay-hooks.json': '{\n  "target": "localhost:3000",\n  "listen": { "port": 70000, }\n}\n',
  });

  const result = await runCli(['config', '--config', paths['pllay-hooks.json']!]);

  return expectUsageError(
    result,
    `cannot read the config file ${paths['pllay-hooks.json']}:3:30`,
    paths.folder,
  );
});

section.test('config-empty', async () => {
  const paths = files({ '.pllay-hooksrc.json': '' });

  const result = await runCli(['config'], { cwd: paths.folder });

  return expectUsageError(
    result,
    `the config file ${paths['.pllay-hooksrc.json']} is empty`,
    paths.folder,
  );
});

section.test('config-folder', async () => {
  const base = folder();

  const result = await runCli(['config', '--config', base]);

  return expectUsageError(result, `cannot read the config file ${base}`, base);
});

section.test('config-key', async () => {
  const paths = files({ 'pllay-hooks.json': '{ "listen": { "prot": 3000 } }' });

  const result = await runCli(['config', '--config', paths['pllay-hooks.json']!]);

  const summary = expectUsageError(result, paths['pllay-hooks.json']!, paths.folder);

  expect(result.stderr).toContain('listen: unknown key "prot" (did you mean "port"?)');
  return `${summary} listen: unknown key "prot" (did you mean "port"?) …`;
});

section.test('log-missing', async () => {
  const base = folder();

  const result = await runCli([
    'replay',
    join(base, 'capture.ndjson'),
    '--to',
    'http://127.0.0.1:9',
    '--secret',
    SECRET,
  ]);

  return expectUsageError(
    result,
    `cannot read the log ${join(base, 'capture.ndjson')}: file not found`,
    base,
  );
});

section.test('log-empty', async () => {
  const paths = files({ 'capture.ndjson': '' });

  const result = await runCli([
    'replay',
    paths['capture.ndjson']!,
    '--to',
    'http://127.0.0.1:9',
    '--secret',
    SECRET,
  ]);

  return expectUsageError(result, `the log ${paths['capture.ndjson']} is empty`, paths.folder);
});

section.test('log-malformed', async () => {
  const paths = files({ 'app.log': 'INFO starting\n{"id": "evt_x", "type": \nINFO done\n' });
  const server = await target();

  const result = await runCli([
    'replay',
    paths['app.log']!,
    '--to',
    server.url,
    '--secret',
    SECRET,
  ]);

  expect(server.requests).toHaveLength(0);
  expect(result.stderr).toContain(`${paths['app.log']}:2:`);
  return expectUsageError(result, `the first at ${paths['app.log']}:1`, paths.folder);
});

section.test('log-some-junk', async () => {
  const paths = files({
    'mixed.ndjson': `${ENVELOPE}\nnot json at all\n${ENVELOPE.replace('evt_file_1', 'evt_file_2')}\n`,
  });
  const server = await target();

  const lenient = await runCli([
    'replay',
    paths['mixed.ndjson']!,
    '--to',
    server.url,
    '--secret',
    SECRET,
  ]);
  const strict = await runCli([
    'replay',
    paths['mixed.ndjson']!,
    '--to',
    server.url,
    '--secret',
    SECRET,
    '--strict',
  ]);

  expect(lenient.code).toBe(0);
  expect(lenient.stderr).toContain(`${paths['mixed.ndjson']}:2: not valid JSON`);
  expect(server.requests).toHaveLength(2);
  return `without --strict: line 2 listed, 2 events sent, exit 0; with --strict: ${expectUsageError(strict, `${paths['mixed.ndjson']}:2`, paths.folder)}`;
});

section.test('record-malformed', async () => {
  const paths = files({
    'capture.ndjson': '{"kind":"delivery","body":"{}"}\n{"kind": "capture", \n',
  });

  const result = await runCli(['verify', '--record', paths['capture.ndjson']!, '--secret', SECRET]);

  return expectUsageError(result, `${paths['capture.ndjson']}:2 is not valid JSON`, paths.folder);
});

section.test('set-path', async () => {
  const base = folder();
  const server = await target();
  const log = join(base, 'logs', 'send.ndjson');

  const result = await runCli(
    sendArgs(server, '--set', 'type.name=x', '--count', '3', '--log', log),
  );

  expect(server.requests).toHaveLength(0);
  expect(existsSync(join(base, 'logs'))).toBe(false);
  return expectUsageError(result, 'cannot set "type.name": "type" is a string', base);
});

section.test('unknown-type', async () => {
  const server = await target();

  const result = await runCli(['send', 'payment.succeded', '--to', server.url, '--secret', SECRET]);

  return expectUsageError(
    result,
    'unknown event type "payment.succeded"; did you mean "payment.succeeded"?',
    '/',
  );
});

section.test('ca-cert', async () => {
  const paths = files({ 'ca.pem': 'not a certificate\n' });

  const result = await runCli(sendArgs(await target(), '--ca-cert', paths['ca.pem']!));

  return expectUsageError(
    result,
    `--ca-cert file ${paths['ca.pem']} contains no PEM certificate`,
    paths.folder,
  );
});

section.test('send-log', async () => {
  const base = folder();
  const log = join(base, 'send.ndjson');

  const badValue = await runCli([
    'send',
    'kyc.started',
    '--to',
    'http://127.0.0.1:9',
    '--secret',
    SECRET,
    '--log',
    log,
    '--count',
    'zero',
  ]);
  const badType = await runCli([
    'send',
    'kyc.nope',
    '--to',
    'http://127.0.0.1:9',
    '--secret',
    SECRET,
    '--log',
    log,
  ]);

  expect(badValue.code).toBe(2);
  expect(existsSync(log)).toBe(false);
  return `--count zero and an unknown type: exit ${badValue.code} and ${badType.code}; no log file created`;
});

section.test('send-log-write', async () => {
  const base = folder();
  const server = await target();
  const log = join(base, 'send.ndjson');

  const result = await runLimited([
    'send',
    '--all',
    '--count',
    '10',
    '--to',
    server.url,
    '--secret',
    SECRET,
    '--log',
    log,
  ]);
  const logged = readFileSync(log, 'utf8').split('\n').length - 1;

  expect(server.requests.length).toBeLessThan(130);
  expect(server.requests.length).toBeLessThanOrEqual(logged + 1);
  return expectUsageError(result, `cannot write to the log file ${log}: EFBIG`, base);
});

section.test('replay-outputs', async () => {
  const paths = files({ 'events.ndjson': `${ENVELOPE}\n` });
  const report = join(paths.folder, 'report-is-a-folder');
  mkdirSync(report);

  const result = await runCli([
    'replay',
    paths['events.ndjson']!,
    '--to',
    'http://127.0.0.1:9',
    '--secret',
    SECRET,
    '--state',
    join(paths.folder, 'state', 'replay.state'),
    '--log',
    join(paths.folder, 'replay.ndjson'),
    '--report',
    report,
  ]);

  expect(readdirSync(paths.folder).sort()).toEqual(['events.ndjson', 'report-is-a-folder']);
  return expectUsageError(result, `cannot write the report ${report}`, paths.folder);
});

/** Runs the CLI under `ulimit -f`, so that no file it writes can grow past a few kilobytes. */
async function runLimited(args: string[]): Promise<CliResult> {
  const child = spawn(
    '/bin/sh',
    ['-c', 'ulimit -f 4 && exec "$0" "$@"', process.execPath, BIN, ...args],
    {
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

function manyEvents(count: number): string {
  return Array.from(
    { length: count },
    (_, index) => `${ENVELOPE.replace('evt_file_1', `evt_file_${index}`)}\n`,
  ).join('');
}

section.test('state-write', async () => {
  // The state file starts near the size limit, so it fails before the report's own files do.
  const earlier = Array.from(
    { length: 40 },
    (_, index) => `{"event_id":"evt_earlier_${index}","ok":false,"outcome":"failed"}\n`,
  );
  const paths = files({ 'events.ndjson': manyEvents(80), 'replay.state': earlier.join('') });
  const server = await target();
  const state = paths['replay.state']!;
  const report = join(paths.folder, 'report.xml');

  const result = await runLimited([
    'replay',
    paths['events.ndjson']!,
    '--to',
    server.url,
    '--secret',
    SECRET,
    '--state',
    state,
    '--report',
    report,
  ]);

  expect(existsSync(report)).toBe(false);
  expect(existsSync(`${report}.partial`)).toBe(false);
  expect(server.requests.length).toBeLessThan(80);
  return expectUsageError(result, `cannot write to the state file ${state}: EFBIG`, paths.folder);
});

section.test('report-write', async () => {
  const paths = files({ 'events.ndjson': manyEvents(80) });
  const server = await target();
  const report = join(paths.folder, 'report.xml');

  const result = await runLimited([
    'replay',
    paths['events.ndjson']!,
    '--to',
    server.url,
    '--secret',
    SECRET,
    '--report',
    report,
  ]);

  expect(existsSync(report)).toBe(false);
  expect(existsSync(`${report}.partial`)).toBe(false);
  expect(server.requests.length).toBeLessThan(80);
  return expectUsageError(result, `cannot write the report ${report}: EFBIG`, paths.folder);
});

section.test('temp-missing', async () => {
  const base = folder();
  const missing = join(base, 'no-such-folder');

  // Node.js 22 and later would create the missing TMPDIR for their compile cache, so it is off here.
  const result = await runCli(['demo'], { env: { TMPDIR: missing, NODE_DISABLE_COMPILE_CACHE: '1' } });

  expect(result.stderr).toContain('set TMPDIR to an existing, writable folder');
  return expectUsageError(result, `cannot create a temporary folder in ${missing}`, base);
});

section.checkDoc();
