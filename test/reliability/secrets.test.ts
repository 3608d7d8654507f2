import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, expect, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

import { timingSafeEqual } from 'node:crypto';

import { sign, verify } from '../../src/signature/index.js';
import { runCli, startCli, type CliResult } from '../helpers/cli.js';
import { sendRaw } from '../helpers/http.js';
import { startListen } from '../helpers/listen.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { startGoodApp } from '../helpers/webhook-apps.js';
import { hmac, logRecords, waitUntil } from './helpers.js';
import { reliabilitySection } from './suite.js';

const section = reliabilitySection('secrets');
/** A secret that nothing else in a run could print by chance. */
const SECRET = 'whsec_R3liab1lity_Zq7Xw9_unseen';
/** The part after the `whsec_` prefix: a masked secret shows the prefix, never this part. */
const SECRET_CORE = SECRET.slice('whsec_'.length);
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

async function server(started: Promise<TestServer>): Promise<TestServer> {
  const running = await started;
  cleanups.push(() => running.close());
  return running;
}

/** Reads every file under a folder, with its text. */
function filesUnder(path: string): Array<{ path: string; text: string }> {
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ path: file, text: readFileSync(file, 'latin1') }));
}

interface Written {
  runs?: CliResult[];
  texts?: string[];
  folders?: string[];
  requests?: TestServer['requests'];
}

/** Checks that the secret is in none of the outputs, files and requests, and counts what was searched. */
function expectNoSecret(written: Written): string {
  const sources: Array<{ name: string; text: string }> = [
    ...(written.runs ?? []).flatMap((run, index) => [
      { name: `stdout of run ${index + 1}`, text: run.stdout },
      { name: `stderr of run ${index + 1}`, text: run.stderr },
    ]),
    ...(written.texts ?? []).map((text, index) => ({ name: `output ${index + 1}`, text })),
    ...(written.folders ?? []).flatMap(filesUnder).map(({ path, text }) => ({ name: path, text })),
    ...(written.requests ?? []).map((request, index) => ({
      name: `request ${index + 1}`,
      text: `${request.rawHeaders.join('\n')}\n${request.body.toString('latin1')}`,
    })),
  ];

  const leaks = sources.filter(({ text }) => text.includes(SECRET) || text.includes(SECRET_CORE));
  expect(leaks.map(({ name }) => name)).toEqual([]);
  expect(sources.some(({ text }) => text.length > 0)).toBe(true);
  return `${sources.length} outputs, files and requests searched; no trace of the secret`;
}

section.test('generate', async () => {
  const runs = await Promise.all([
    runCli(['generate', 'payment.succeeded', '--secret', SECRET, '--verbose']),
    runCli(['generate', 'kyc.started', '--secret', SECRET, '--json']),
    runCli(['generate', 'kyc.started', '--verbose'], { env: { PLLAY_WEBHOOK_SECRET: SECRET } }),
  ]);

  runs.forEach((run) => expect(run.code).toBe(0));
  return expectNoSecret({ runs });
});

section.test('send', async () => {
  const base = folder();
  const target = await server(
    startTestServer((request, response) => {
      response
        .writeHead(request.body.includes('wager.cancelled') ? 500 : 200)
        .end(request.headers['pllay-signature']);
    }),
  );

  const runs = [
    await runCli([
      'send',
      '--all',
      '--to',
      target.url,
      '--secret',
      SECRET,
      '--verbose',
      '--log',
      join(base, 'send.ndjson'),
    ]),
    await runCli(['send', 'kyc.started', '--to', target.url, '--secret', SECRET, '--json']),
    await runCli(['send', 'kyc.started', '--to', 'http://127.0.0.1:9/', '--verbose'], {
      env: { PLLAY_WEBHOOK_SECRET: SECRET },
    }),
  ];

  expect(runs.map((run) => run.code)).toEqual([1, 0, 1]);
  expect(
    target.requests.every(
      (request) => request.headers['pllay-signature'] === hmac(request.body, SECRET),
    ),
  ).toBe(true);
  return expectNoSecret({ runs, folders: [base], requests: target.requests });
});

section.test('listen', async () => {
  const app = await server(startTestServer());
  const listen = await startListen([
    '--secret',
    SECRET,
    '--verbose',
    '--forward-to',
    app.url,
    '--print-json',
  ]);
  cleanups.push(
    () => listen.remove(),
    () => listen.cli.stop(),
  );
  const body = '{"id":"evt_secret_1","type":"kyc.started"}';

  await sendRaw(listen.url, { body, headers: { 'pllay-signature': hmac(body, SECRET) } });
  await sendRaw(listen.url, { body, headers: { 'pllay-signature': hmac(body, 'whsec_other') } });
  await sendRaw(listen.url, { body });
  await waitUntil(
    () => logRecords(listen.log).filter((record) => record.kind === 'delivery').length === 1,
  );
  await listen.cli.stop('SIGINT');

  expect(app.requests).toHaveLength(1);
  return expectNoSecret({
    texts: [listen.cli.stdout(), listen.cli.stderr()],
    folders: [join(listen.log, '..')],
    requests: app.requests,
  });
});

section.test('replay', async () => {
  const base = folder();
  const events = join(base, 'events.ndjson');
  writeFileSync(
    events,
    ['kyc.started', 'payment.failed']
      .map((type, index) => `{"id":"evt_r${index}","type":"${type}","data":{"object":{}}}\n`)
      .join(''),
  );
  const target = await server(
    startTestServer((request, response) => {
      response.writeHead(request.body.includes('payment.failed') ? 400 : 200).end();
    }),
  );

  const runs = [
    await runCli([
      'replay',
      events,
      '--to',
      target.url,
      '--secret',
      SECRET,
      '--verbose',
      '--state',
      join(base, 'replay.state'),
      '--report',
      join(base, 'report.xml'),
      '--log',
      join(base, 'replay.ndjson'),
    ]),
    await runCli(['replay', events, '--to', target.url, '--dry-run', '--json'], {
      env: { PLLAY_WEBHOOK_SECRET: SECRET },
    }),
  ];

  expect(runs.map((run) => run.code)).toEqual([1, 0]);
  expect(
    filesUnder(base)
      .map((file) => file.path.slice(base.length + 1))
      .sort(),
  ).toEqual(['events.ndjson', 'replay.ndjson', 'replay.state', 'report.xml']);
  return expectNoSecret({ runs, folders: [base], requests: target.requests });
});

section.test('verify', async () => {
  const base = folder();
  const payload = join(base, 'body.json');
  const body = '{"id":"evt_v","type":"kyc.started"}';
  writeFileSync(payload, body);

  const runs = await Promise.all([
    runCli([
      'verify',
      '--payload',
      payload,
      '--signature',
      hmac(body, SECRET),
      '--secret',
      SECRET,
      '--verbose',
    ]),
    runCli([
      'verify',
      '--payload',
      payload,
      '--signature',
      hmac(body, `${SECRET}\n`),
      '--secret',
      SECRET,
      '--json',
    ]),
    runCli([
      'verify',
      '--payload',
      payload,
      '--signature',
      hmac(body, 'whsec_other'),
      '--secret',
      SECRET,
      '--secret',
      `${SECRET}2`,
    ]),
  ]);

  expect(runs.map((run) => run.code)).toEqual([0, 1, 1]);
  return expectNoSecret({ runs });
});

section.test('check', async () => {
  const base = folder();
  const app = await server(startGoodApp(SECRET));

  const run = await runCli([
    'check',
    '--to',
    app.url,
    '--secret',
    SECRET,
    '--type',
    'kyc.started',
    '--verbose',
    '--report',
    join(base, 'check.xml'),
  ]);

  expect(run.code).toBe(0);
  return expectNoSecret({ runs: [run], folders: [base], requests: app.requests });
});

section.test('config', async () => {
  const base = folder();
  writeFileSync(
    join(base, '.pllay-hooksrc.json'),
    JSON.stringify({ secret: [SECRET, `${SECRET}_old`] }),
  );

  const runs = await Promise.all([
    runCli(['config'], { cwd: base }),
    runCli(['config', '--json', '--verbose'], { cwd: base }),
    runCli(['config'], { env: { PLLAY_WEBHOOK_SECRET: SECRET } }),
  ]);

  runs.forEach((run) => expect(run.code).toBe(0));
  expect(runs[0]!.stdout).toContain('whsec_********');
  return expectNoSecret({ runs });
});

section.test('errors', async () => {
  const base = folder();
  const env = { DEBUG: 'pllay' };
  const occupied = await server(startTestServer());

  const runs = await Promise.all([
    runCli(['send', 'kyc.started', '--to', 'ftp://example.invalid', '--secret', SECRET], { env }),
    runCli(['send', 'kyc.nope', '--to', occupied.url, '--secret', SECRET], { env }),
    runCli(
      [
        'listen',
        '--port',
        String(occupied.port),
        '--log',
        join(base, 'capture.ndjson'),
        '--secret',
        SECRET,
      ],
      { env },
    ),
    runCli(['replay', join(base, 'missing.ndjson'), '--to', occupied.url, '--secret', SECRET], {
      env,
    }),
    runCli(
      ['verify', '--payload', join(base, 'missing.json'), '--signature', 'ab', '--secret', SECRET],
      { env },
    ),
    runCli(['check', '--to', 'http://127.0.0.1:9', '--secret', SECRET], { env }),
  ]);
  const interrupted = startCli(
    ['send', 'kyc.started', '--to', occupied.url, '--secret', SECRET, '--verbose'],
    { env },
  );
  await interrupted.stop('SIGINT');

  expect(runs.map((run) => run.code)).toEqual([2, 2, 1, 2, 2, 1]);
  expect(runs.some((run) => run.stderr.includes('    at '))).toBe(true);
  return expectNoSecret({
    runs,
    texts: [interrupted.stdout(), interrupted.stderr()],
    folders: [base],
  });
});

section.test('constant-time', async () => {
  const body = Buffer.from('{"id":"evt_ct"}');
  const compare = vi.mocked(timingSafeEqual);
  const right = sign(body, SECRET);
  const wrong = `${right.slice(0, 63)}${right.endsWith('0') ? '1' : '0'}`;

  compare.mockClear();
  const invalid = verify(body, wrong, [`${SECRET}_old`, SECRET]);
  const invalidCalls = compare.mock.calls.map(([a, b]) => [a.byteLength, b.byteLength]);
  compare.mockClear();
  const valid = verify(body, right, SECRET);
  const validCalls = compare.mock.calls.length;

  expect(invalid.verdict).toBe('invalid');
  expect(invalidCalls).toEqual([
    [32, 32],
    [32, 32],
  ]);
  expect(valid.verdict).toBe('valid');
  expect(validCalls).toBe(1);
  return 'timingSafeEqual on two 32-byte digests once per secret tried, for a wrong signature as for a right one';
});

section.checkDoc();
