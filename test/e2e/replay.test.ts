import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';

import { BIN, cliEnv, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { startTestServer, type TestHandler, type TestServer } from '../helpers/server.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_replay_cli';
const running: RunningCli[] = [];
const spawned: ChildProcess[] = [];
const servers: TestServer[] = [];
const folders: Array<{ remove(): void }> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop('SIGKILL')));
  for (const child of spawned.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'close');
    }
  }
  await Promise.all(servers.splice(0).map((server) => server.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

function folder(): string {
  const made = tempDir();
  folders.push(made);
  return made.path;
}

function envelope(id: string, type = 'payment.succeeded'): string {
  return JSON.stringify({
    id,
    type,
    created: 1_700_000_000,
    data: { object: { id: `pay_${id}` } },
  });
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

function writeFile(name: string, text: string): string {
  const path = join(folder(), name);
  writeFileSync(path, text);
  return path;
}

async function app(handler: TestHandler): Promise<TestServer> {
  const started = await startTestServer(handler);
  servers.push(started);
  return started;
}

/** Responds to each request of an event id with the next status of the script. */
function perEvent(statuses: number[]): TestHandler {
  const counts = new Map<string, number>();
  return (request, response) => {
    const id = (JSON.parse(request.body.toString()) as { id: string }).id;
    const seen = counts.get(id) ?? 0;
    counts.set(id, seen + 1);
    const status = statuses[Math.min(seen, statuses.length - 1)]!;
    response.writeHead(status, { 'content-type': 'application/json' }).end(`{"status":${status}}`);
  };
}

function idsOf(server: TestServer): string[] {
  return server.requests.map(
    (request) => (JSON.parse(request.body.toString()) as { id: string }).id,
  );
}

/** Captures two events with listen --forward-to an app that always fails, and returns the log. */
async function captureWithFailingApp(): Promise<string> {
  const failing = await app((_request, response) => {
    response.writeHead(500).end('database unavailable');
  });
  const log = join(folder(), 'capture.ndjson');
  const listen = startCli([
    'listen',
    '--port',
    '0',
    '--log',
    log,
    '--secret',
    SECRET,
    '--forward-to',
    failing.url,
  ]);
  running.push(listen);
  const [, url] = await listen.waitForLine(/Listening on (\S+)/);

  const sent = await runCli([
    'send',
    'payment.succeeded',
    'kyc.completed',
    '--to',
    url!,
    '--secret',
    SECRET,
  ]);
  expect(sent.code).toBe(0);
  await listen.waitForLine(/kyc\.completed.*<-- 500 .*rejected with 500: database unavailable/);
  expect(await listen.stop('SIGINT')).toBe(0);
  return log;
}

describe('replay command', () => {
  it('replays failed forwards until accepted', async () => {
    const log = await captureWithFailingApp();
    const target = await app(perEvent([503, 503, 200]));

    const result = await runCli([
      'replay',
      log,
      '--failed',
      '--to',
      target.url,
      '--secret',
      SECRET,
      '--initial-delay',
      '100ms',
      '--json',
    ]);

    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      lines.map((line) => [line.type, line.outcome, (line.attempts as unknown[]).length]),
    ).toEqual([
      ['payment.succeeded', 'delivered', 3],
      ['kyc.completed', 'delivered', 3],
    ]);
    const firstEvent = target.requests.slice(0, 3);
    expect(firstEvent[1]!.at - firstEvent[0]!.at).toBeGreaterThanOrEqual(90);
    expect(firstEvent[2]!.at - firstEvent[1]!.at).toBeGreaterThanOrEqual(180);
    expect(firstEvent[2]!.at - firstEvent[1]!.at).toBeLessThan(2000);
  });

  it('sends the captured bytes again', async () => {
    const log = await captureWithFailingApp();
    const target = await app(perEvent([200]));

    await runCli(['replay', log, '--failed', '--to', target.url, '--secret', SECRET]);

    const captured = readNdjson(log).filter((record) => record.kind === 'capture');
    expect(target.requests.map((request) => request.body.toString())).toEqual(
      captured.map((record) => record.body),
    );
  });

  it('exits 1 and names failed events', async () => {
    const log = await captureWithFailingApp();
    const target = await app(perEvent([503]));
    const report = join(folder(), 'junit.xml');

    const result = await runCli([
      'replay',
      log,
      '--failed',
      '--to',
      target.url,
      '--secret',
      SECRET,
      '--max-attempts',
      '2',
      '--initial-delay',
      '50ms',
      '--report',
      report,
    ]);

    expect(result.code).toBe(1);
    const ids = readNdjson(log)
      .filter((record) => record.kind === 'capture')
      .map((record) => record.event_id as string);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      readFileSync(report, 'utf8'),
    ) as {
      testsuites: {
        failures: string;
        testsuite: { testcase: Array<{ name: string; failure?: { message: string } }> };
      };
    };
    expect(parsed.testsuites.failures).toBe('2');
    expect(
      parsed.testsuites.testsuite.testcase.map((testCase) => testCase.name.split(' ')[0]),
    ).toEqual(ids);
    expect(parsed.testsuites.testsuite.testcase[0]!.failure!.message).toBe(
      'gave up after 2 attempts: rejected with 503',
    );
    expect(result.stdout).toMatch(/failed\s+2/);
  });

  it('ends within the deadline', async () => {
    const target = await app(perEvent([503]));
    const log = writeFile('events.ndjson', `${envelope('evt_1')}\n${envelope('evt_2')}\n`);
    const started = Date.now();

    const result = await runCli([
      'replay',
      log,
      '--to',
      target.url,
      '--secret',
      SECRET,
      '--max-attempts',
      '50',
      '--backoff',
      'constant',
      '--initial-delay',
      '200ms',
      '--deadline',
      '2s',
    ]);

    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.stdout).toContain('deadline of 2000 ms');
  });

  it('resumes without resending', async () => {
    // The app accepts evt_1, and everything else only once the first run was interrupted.
    let recovered = false;
    const target = await app((request, response) => {
      const id = (JSON.parse(request.body.toString()) as { id: string }).id;
      response.writeHead(id === 'evt_1' || recovered ? 200 : 503).end();
    });
    const log = writeFile(
      'events.ndjson',
      [envelope('evt_1'), envelope('evt_2'), envelope('evt_3')].join('\n') + '\n',
    );
    const state = join(folder(), 'replay.state');
    const args = [
      'replay',
      log,
      '--to',
      target.url,
      '--secret',
      SECRET,
      '--state',
      state,
      '--initial-delay',
      '10s',
    ];

    const first = startCli(args);
    running.push(first);
    await first.waitForLine(/evt_2\s+attempt 1\/5/);
    const code = await first.stop('SIGINT');
    recovered = true;
    const second = await runCli(args);

    expect(code).toBe(130);
    expect(first.stderr()).toContain('run the same command again to resume');
    expect(second.code).toBe(0);
    expect(idsOf(target)).toEqual(['evt_1', 'evt_2', 'evt_2', 'evt_3']);
    expect(second.stdout).toMatch(/skipped\s+1/);
  });

  it('reports junk and a torn last line', async () => {
    const target = await app(perEvent([200]));
    const log = writeFile(
      'mixed.ndjson',
      `${envelope('evt_1')}\nnot json\n{"level":"info","msg":"boot"}\n${envelope('evt_2')}\n{"id":"evt_3","type":"pay`,
    );

    const result = await runCli(['replay', log, '--to', target.url, '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(idsOf(target)).toEqual(['evt_1', 'evt_2']);
    expect(result.stderr).toContain('2 lines contain no usable event and were skipped');
    expect(result.stderr).toContain(`${log}:2: not valid JSON`);
    expect(result.stderr).toContain(`${log}:3: no event`);
    expect(result.stderr).toContain(`${log}:5: skipped the last line`);
  });

  it('skips one junk line in agreement', async () => {
    const target = await app(perEvent([200]));
    const log = writeFile('mixed.ndjson', `${envelope('evt_1')}\nnot json\n`);

    const result = await runCli(['replay', log, '--to', target.url, '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('1 line contains no usable event and was skipped');
  });

  it('fails strictly before sending', async () => {
    const target = await app(perEvent([200]));
    const log = writeFile('mixed.ndjson', `${envelope('evt_1')}\nnot json\n`);

    const result = await runCli([
      'replay',
      log,
      '--to',
      target.url,
      '--secret',
      SECRET,
      '--strict',
    ]);

    expect(result.code).toBe(2);
    expect(target.requests).toHaveLength(0);
    expect(result.stderr).toContain(
      `error: 1 line contains no usable event, the first at ${log}:2`,
    );
  });

  it('exits 2 for a missing log', async () => {
    const result = await runCli([
      'replay',
      '/nonexistent/capture.ndjson',
      '--to',
      '127.0.0.1:9',
      '--secret',
      SECRET,
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'cannot read the log /nonexistent/capture.ndjson: file not found',
    );
  });

  it('reads envelopes from standard input', async () => {
    const target = await app(perEvent([200]));

    const result = await runCli(['replay', '-', '--to', target.url, '--secret', SECRET, '--json'], {
      input: `[${envelope('evt_1')},\n${envelope('evt_2')}]`,
    });

    expect(result.code).toBe(0);
    expect(idsOf(target)).toEqual(['evt_1', 'evt_2']);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { source: string }).source),
    ).toEqual(['stdin:1[0]', 'stdin:2[1]']);
  });

  it('warns of no listener leak', async () => {
    const target = await app((_request, response) => {
      setTimeout(() => response.writeHead(200).end('ok'), 50);
    });
    const ids = Array.from({ length: 40 }, (_, index) => `evt_${index}`);
    const log = writeFile('events.ndjson', `${ids.map((id) => envelope(id)).join('\n')}\n`);

    const result = await runCli(['replay', log, '--concurrency', '32', '--to', target.url, '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(idsOf(target).sort()).toEqual([...ids].sort());
    expect(result.stderr).not.toContain('MaxListenersExceededWarning');
  });

  it('prints the schedule on a dry run', async () => {
    const log = writeFile('events.ndjson', `${envelope('evt_1')}\n`);

    const result = await runCli([
      'replay',
      log,
      '--to',
      '127.0.0.1:9',
      '--dry-run',
      '--max-attempts',
      '3',
      '--initial-delay',
      '1s',
      '--factor',
      '3',
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('attempt 2  after 1.00 s');
    expect(result.stdout).toContain('attempt 3  after 3.00 s  (at most 4.00 s of waits since the first)');
    expect(result.stdout).toContain('evt_1');
  });

  it('checks flags on a dry run', async () => {
    const log = writeFile('events.ndjson', `${envelope('evt_1')}\n`);
    const args = ['replay', log, '--to', '127.0.0.1:9', '--keep-signature', '--secret', SECRET];

    const dry = await runCli([...args, '--dry-run']);
    const real = await runCli(args);

    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('[E_SECRET_WITH_KEEP]');
    expect(dry.stdout).not.toContain('evt_1');
    expect(real.code).toBe(2);
    expect(real.stderr).toContain('[E_SECRET_WITH_KEEP]');
  });

  it('stops on Ctrl-C while stdin stays open', async () => {
    const target = await app(perEvent([200]));
    const child = spawn(process.execPath, [BIN, '--verbose', 'replay', '-', '--to', target.url, '--secret', SECRET], {
      env: cliEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    spawned.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const closed = once(child, 'close') as Promise<[number | null]>;
    child.stdin.write(`${envelope('evt_1')}\n`);

    await waitFor(() => stderr.includes('reading standard input until it ends'));
    child.kill('SIGINT');
    const [code] = await closed;

    expect(code).toBe(130);
    expect(target.requests).toHaveLength(0);
    expect(stdout).toMatch(/delivered\s+0/);
    expect(stderr).toContain('Interrupted: 0 events were not finished.');
  });

  it('needs a secret to sign', async () => {
    const log = writeFile('events.ndjson', `${envelope('evt_1')}\n`);

    const result = await runCli(['replay', log, '--to', '127.0.0.1:9']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no signing secret');
  });

  it('reads a large log in flat memory', async () => {
    // Holding these 300,000 events in an array took about 115 MB of heap on Node 20 (a
    // measurement, not a bound), so a run that kept them would fail under the 32 MB cap below.
    const lines = Array.from({ length: 300_000 }, (_, index) =>
      JSON.stringify({
        id: `evt_${index % 1000}`,
        type: 'payment.succeeded',
        created: 1_700_000_000,
        data: { object: { n: index } },
      }),
    );
    const log = writeFile('large.ndjson', `${lines.join('\n')}\n`);

    const result = await runCli(
      ['replay', log, '--to', '127.0.0.1:9', '--dry-run', '--quiet', '--no-dedupe'],
      {
        env: { NODE_OPTIONS: '--max-old-space-size=32' },
        timeoutMs: 90_000,
      },
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('300000 events selected');
  }, 100_000);

  it('documents the backoff defaults', async () => {
    const result = await runCli(['replay', '--help']);
    const help = result.stdout.replace(/\s+/g, ' ');

    expect(result.code).toBe(0);
    expect(help).toContain('(default: 5)');
    expect(help).toContain('(default: exponential)');
    expect(help).toContain('(default: 500ms)');
    expect(help).toContain('(default: 30s)');
    expect(help).toContain('(default: 2)');
    expect(help).toContain('(default: none)');
  });
});

describe('replay flag ranges', () => {
  it.each([
    ['--timeout', '0'],
    ['--deadline', '0'],
    ['--max-attempts', '0'],
    ['--max-attempts', '101'],
    ['--max-attempts', '1000000'],
  ])('rejects %s %s', async (flag, value) => {
    const target = await app(perEvent([200]));
    const log = writeFile('events.ndjson', `${envelope('evt_range')}\n`);

    const result = await runCli(['replay', log, '--to', target.url, '--secret', SECRET, flag, value]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`option '${flag}`);
    expect(result.stderr).toContain(`argument '${value}' is invalid`);
    expect(target.requests).toHaveLength(0);
  });

  it('rejects the signature header', async () => {
    const target = await app(perEvent([200]));
    const log = writeFile('events.ndjson', `${envelope('evt_header')}\n`);

    const result = await runCli(['replay', log, '--to', target.url, '--secret', SECRET, '--header', 'pllay-signature: abc']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[E_HEADER_RESERVED]');
    expect(target.requests).toHaveLength(0);
  });
});

describe('listen flag ranges', () => {
  it.each([
    ['--max-body', '0', 'at least 1 byte'],
    ['--forward-timeout', '0', 'at least 1ms'],
  ])('rejects %s %s', async (flag, value, expected) => {
    const target = await app(perEvent([200]));
    const args = ['listen', '--port', '0', '--log', join(folder(), 'capture.ndjson'), '--forward-to', target.url];

    const result = await runCli([...args, flag, value], { timeoutMs: 10_000 });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(expected);
    expect(result.stdout).not.toContain('Listening');
  });
});

describe('listen forwarding flags', () => {
  it('needs --forward-to for --forward-sync', async () => {
    const result = await runCli([
      'listen',
      '--port',
      '0',
      '--log',
      join(folder(), 'capture.ndjson'),
      '--forward-sync',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --forward-sync needs --forward-to');
  });
});
