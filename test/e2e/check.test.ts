import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';

import { runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { startAcknowledgeFirstApp, startCarelessApp, startGoodApp } from '../helpers/webhook-apps.js';

const SECRET = 'whsec_test_check_cli';
const servers: TestServer[] = [];
const running: RunningCli[] = [];
const folders: Array<{ remove(): void }> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop('SIGKILL')));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

async function track<T extends TestServer>(server: Promise<T>): Promise<T> {
  const started = await server;
  servers.push(started);
  return started;
}

/** Resolves once `condition` holds, checking every 20 ms for up to 10 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('the condition did not hold within 10 s');
    }
    await delay(20);
  }
}

function reportPath(): string {
  const folder = tempDir();
  folders.push(folder);
  return join(folder.path, 'check-report.xml');
}

interface JUnitCase {
  name: string;
  failure?: { type: string };
}

function readJUnit(path: string): { failures: string; cases: JUnitCase[] } {
  const xml = readFileSync(path, 'utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase'].includes(name),
  }).parse(xml) as { testsuites: { failures: string; testsuite: Array<{ testcase: JUnitCase[] }> } };
  return {
    failures: parsed.testsuites.failures,
    cases: parsed.testsuites.testsuite.flatMap((suite) => suite.testcase),
  };
}

describe('check on three apps', () => {
  it('passes good app with exit 0', async () => {
    const app = await track(startGoodApp(SECRET));
    const report = reportPath();

    const result = await runCli(['check', '--to', app.url, '--secret', SECRET, '--report', report]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Checking ${app.url}/webhooks/pllay against PLLAY's webhook best practices`);
    expect(result.stdout).toContain('13 event types, 48 requests, 2 at a time; responses within 2.00 s pass');
    expect(result.stdout).toMatch(/✔ pass {2}signed event gets a 2xx {12}13 of 13 types got 200, median \d+ ms/);
    expect(result.stdout).toMatch(/✔ pass {2}wrong signature is rejected {8}rejected with 401 in \d+ ms/);
    expect(result.stdout).not.toContain('fix:');
    expect(result.stdout).toMatch(/✔ 11 passed, 0 warned, 0 failed in [\d.]+ m?s\n$/);
    expect(result.stderr).toBe(`JUnit report: ${report}\n`);
    const junit = readJUnit(report);
    expect(junit.cases).toHaveLength(11);
    expect(junit.failures).toBe('0');
  });

  it('warns on acknowledge-first app', async () => {
    const app = await track(startAcknowledgeFirstApp(SECRET));

    const result = await runCli(['check', '--to', app.url, '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/! warn {2}wrong signature is rejected {8}accepted with 200 in \d+ ms\n {10}fix: verify the signature before responding: return 401 when it does not match/);
    expect(result.stdout).toMatch(/! warn {2}missing signature is rejected {6}accepted with 200 in \d+ ms\n {10}fix: as above/);
    expect(result.stdout).toMatch(/! warn {2}tampered body is rejected {10}accepted with 200 in \d+ ms/);
    expect(result.stdout).toContain('why: A 2xx to a badly signed request cannot show whether the endpoint');
    expect(result.stdout).toMatch(/✔ 8 passed, 3 warned, 0 failed in .*; --strict makes warnings fail\n$/);
  });

  it('fails acknowledge-first app under strict', async () => {
    const app = await track(startAcknowledgeFirstApp(SECRET));
    const report = reportPath();

    const result = await runCli(['check', '--to', app.url, '--secret', SECRET, '--strict', '--report', report]);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ 8 passed, 3 warned, 0 failed in .*; warnings fail under --strict\n$/);
    const junit = readJUnit(report);
    expect(junit.failures).toBe('3');
    expect(junit.cases.filter((testCase) => testCase.failure?.type === 'warning').map((testCase) => testCase.name)).toEqual([
      'wrong signature is rejected',
      'missing signature is rejected',
      'tampered body is rejected',
    ]);
  });

  it('fails careless app with fixes', async () => {
    const app = await track(startCarelessApp(400));
    const report = reportPath();

    const result = await runCli([
      'check', '--to', app.url, '--secret', SECRET, '--type', 'payment.succeeded', '--max-latency', '100ms', '--report', report,
    ]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('payment.succeeded, 12 requests, 2 at a time; responses within 100 ms pass');
    expect(result.stdout).toMatch(/✖ fail {2}responds within the time limit {5}median \d+ ms, max \d+ ms over 5 responses; 5 over the 100 ms limit; 2 other than 2xx not counted\n {10}fix: return 2xx as soon as the event is verified and stored/);
    expect(result.stdout).toMatch(/✖ fail {2}same event twice gets 2xx twice {4}1 of 1 type did not: payment\.succeeded: 200, then 500 in \d+ ms: .*\n {10}fix: return 2xx for an event id that was already processed/);
    expect(result.stdout).toMatch(/✖ fail {2}unknown event type gets no 5xx {5}payment\.disputed: 500 in \d+ ms: .*\n {10}fix: give the switch on event\.type a default branch/);
    expect(result.stdout).toMatch(/✖ fail {2}wrong signature is rejected {8}accepted with 200 in \d+ ms, slower than the 100 ms limit/);
    expect(result.stdout).toMatch(/✖ 5 passed, 0 warned, 6 failed in /);
    const junit = readJUnit(report);
    expect(junit.failures).toBe('6');
  });
});

describe('check output modes', () => {
  it('prints NDJSON with --json', async () => {
    const app = await track(startCarelessApp(0));

    const result = await runCli(['check', '--to', app.url, '--secret', SECRET, '--type', 'kyc.started', '--json']);

    expect(result.code).toBe(1);
    const records = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(12);
    const checks = records.filter((record) => record.kind === 'check');
    expect(checks).toHaveLength(11);
    expect(Object.fromEntries(checks.map((record) => [record.id, record.status]))).toMatchObject({
      'signed-event-accepted': 'pass',
      'wrong-signature-rejected': 'warn',
      'duplicate-accepted': 'fail',
      'unknown-type-tolerated': 'fail',
    });
    const duplicate = checks.find((record) => record.id === 'duplicate-accepted')!;
    expect(duplicate.requests).toMatchObject([
      { label: 'kyc.started', status: 200 },
      { label: 'kyc.started, again', status: 500 },
    ]);
    expect(records.at(-1)).toMatchObject({
      kind: 'summary',
      target: `${app.url}/webhooks/pllay`,
      types: ['kyc.started'],
      requests: 12,
      max_latency_ms: 2000,
      passed: 6,
      warned: 3,
      failed: 2,
      strict: false,
      ok: false,
    });
  });

  it('shows only problems with --quiet', async () => {
    const app = await track(startCarelessApp(0));

    const result = await runCli(['check', '--quiet', '--to', app.url, '--secret', SECRET, '--type', 'kyc.started']);

    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('✔ pass');
    expect(result.stdout).not.toContain('Checking');
    expect(result.stdout).toContain('✖ fail  unknown event type gets no 5xx');
    expect(result.stdout).toContain('! warn  wrong signature is rejected');
    expect(result.stdout).toMatch(/✖ 6 passed, 3 warned, 2 failed/);
  });

  it('reads the secret from the environment', async () => {
    const app = await track(startGoodApp(SECRET));

    const result = await runCli(['check', '--to', app.url, '--type', 'wager.created'], {
      env: { PLLAY_WEBHOOK_SECRET: SECRET },
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✔ 11 passed, 0 warned, 0 failed/);
  });
});

describe('check usage errors', () => {
  const cases: Array<{ name: string; args: (url: string) => string[]; message: RegExp }> = [
    { name: 'no secret', args: (url) => ['--to', url], message: /no signing secret/ },
    { name: 'no target', args: () => ['--secret', SECRET], message: /no target: check needs the URL/ },
    { name: 'unknown type', args: (url) => ['--to', url, '--secret', SECRET, '--type', 'payment.disputed'], message: /unknown event type "payment.disputed"/ },
    { name: 'empty type list', args: (url) => ['--to', url, '--secret', SECRET, '--type', ','], message: /--type "," names no event type \[E_NO_EVENT_TYPE\]/ },
    { name: 'zero latency', args: (url) => ['--to', url, '--secret', SECRET, '--max-latency', '0'], message: /expected a duration of at least 1ms/ },
    { name: 'zero concurrency', args: (url) => ['--to', url, '--secret', SECRET, '--concurrency', '0'], message: /expected a whole number of at least 1/ },
    { name: 'unwritable report', args: (url) => ['--to', url, '--secret', SECRET, '--report', '/nonexistent-folder/report.xml'], message: /cannot write --report file \/nonexistent-folder\/report.xml/ },
  ];

  for (const { name, args, message } of cases) {
    it(`exits 2 for ${name}`, async () => {
      const app = await track(startGoodApp(SECRET));

      const result = await runCli(['check', ...args(app.url)]);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(app.requests).toHaveLength(0);
    });
  }

  it('exits 1 when unreachable', async () => {
    const app = await startTestServer();
    await app.close();

    const result = await runCli(['check', '--to', app.url, '--secret', SECRET]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: cannot check ${app.url}/webhooks/pllay: connection refused`);
    expect(result.stderr).toContain('start the app first, or fix the URL in --to');
  });

  it('suggests http for a plain port', async () => {
    const app = await track(startGoodApp(SECRET));
    const https = app.url.replace('http://', 'https://');

    const result = await runCli(['check', '--to', https, '--secret', SECRET]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`pass --to ${app.url}/webhooks/pllay, or serve https there`);
    expect(result.stderr).not.toContain('fix the certificate');
  });

  it('prints the finished checks on Ctrl-C', async () => {
    const app = await track(
      startTestServer(async (_request, response) => {
        await delay(200);
        response.writeHead(200).end();
      }),
    );
    const cli = startCli(['check', '--to', app.url, '--secret', SECRET, '--type', 'payment.succeeded', '--concurrency', '1']);
    running.push(cli);
    await cli.waitForLine(/Checking/);
    await waitFor(() => app.requests.length >= 4);

    const code = await cli.stop('SIGINT');

    expect(code).toBe(130);
    expect(cli.stdout()).toContain('signed event gets a 2xx');
    expect(cli.stdout()).toMatch(/passed, \d+ warned, \d+ failed/);
    expect(cli.stderr()).toMatch(/Interrupted: \d+ of 11 checks finished, and the rest were not judged\./);
  });

  it('documents options in help', async () => {
    const result = await runCli(['check', '--help']);

    expect(result.code).toBe(0);
    for (const option of ['--to <url>', '--type <type>', '--max-latency <duration>', '--concurrency <n>', '--report <file>', '--strict', '--secret <secret>']) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stdout).toContain('(default: 2s)');
    expect(result.stdout).toContain('Exits 0 when no check fails, 1 when one fails');
  });
});
