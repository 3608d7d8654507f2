import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, cliEnv, runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

// send and listen write their lines once per event-loop turn. These tests check that every line
// arrives, in order, whether stdout is a pipe or a file, and that stderr messages keep their place.

const SECRET = 'whsec_test_batched_output';
const COUNT = 300;
const servers: TestServer[] = [];
const children: ChildProcess[] = [];
const folders: Array<{ path: string; remove(): void }> = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'close');
    }
  }
  await Promise.all(servers.splice(0).map((server) => server.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

async function startServer(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const server = await startTestServer(...args);
  servers.push(server);
  return server;
}

function outputFile(): string {
  const folder = tempDir();
  folders.push(folder);
  return join(folder.path, 'output.txt');
}

/** Starts the built CLI with stdout, and stderr unless `stderrToo` is false, written to `file`. */
function startToFile(args: string[], file: string, stderrToo = true): ChildProcess {
  const fd = openSync(file, 'w');
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cliEnv(),
    stdio: ['ignore', fd, stderrToo ? fd : 'ignore'],
  });
  closeSync(fd);
  children.push(child);
  return child;
}

async function exitCodeOf(child: ChildProcess): Promise<number | null> {
  const [code] = (await once(child, 'close')) as [number | null];
  return code;
}

/** Checks the lines of `send`: a header, one line per event sent in any order, the summary. */
function expectSendLines(text: string, server: TestServer): void {
  const lines = text.split('\n');
  const results = lines.filter((line) => line.startsWith('✔ '));
  const ids = results.map((line) => line.match(/ (evt_\w+) /)?.[1]);
  const received = server.requests.map((request) => (JSON.parse(request.body.toString()) as { id: string }).id);

  expect(lines[0]).toBe(`Sending ${COUNT} events to ${server.url}/webhooks/pllay`);
  expect(results).toHaveLength(COUNT);
  expect(lines.slice(1, COUNT + 1)).toEqual(results);
  expect(new Set(ids).size).toBe(COUNT);
  expect([...ids].sort()).toEqual([...received].sort());
  expect(lines[COUNT + 1]).toBe('');
  expect(lines[COUNT + 2]).toMatch(new RegExp(`^${COUNT} delivered, 0 failed in `));
  expect(lines.slice(COUNT + 3)).toEqual(['']);
}

const sendArgs = (server: TestServer): string[] => [
  'send', 'payment.refunded', '--count', String(COUNT), '--concurrency', '16', '--to', server.url, '--secret', SECRET,
];

describe('batched output', () => {
  it('send prints every line to a pipe', async () => {
    const server = await startServer();

    const result = await runCli(sendArgs(server), { timeoutMs: 60_000 });

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expectSendLines(result.stdout, server);
  });

  it('send prints every line to a file', async () => {
    const server = await startServer();
    const file = outputFile();

    const code = await exitCodeOf(startToFile(sendArgs(server), file, false));

    expect(code).toBe(0);
    expectSendLines(readFileSync(file, 'utf8'), server);
  });

  it('keeps stderr after earlier lines', async () => {
    const heldResponses: ServerResponse[] = [];
    const server = await startServer((_request, response, index) => {
      if (index < 4) {
        response.writeHead(200).end('{}');
      } else {
        heldResponses.push(response);
      }
    });
    const file = outputFile();
    const args = ['send', 'payment.refunded', '--count', '50', '--concurrency', '4', '--to', server.url, '--secret', SECRET];
    const child = startToFile(args, file);
    const exited = exitCodeOf(child);

    await waitFor(() => heldResponses.length === 4);
    child.kill('SIGINT');
    await waitFor(() => readFileSync(file, 'utf8').includes('Stopping after'));
    heldResponses.splice(0).forEach((response) => response.writeHead(200).end('{}'));
    const code = await exited;
    const lines = readFileSync(file, 'utf8').split('\n');

    expect(code).toBe(130);
    expect(lines[0]).toMatch(/^Sending 50 events to /);
    expect(lines.slice(1, 5).every((line) => line.startsWith('✔ '))).toBe(true);
    expect(lines[5]).toBe('');
    expect(lines[6]).toMatch(/^Stopping after the deliveries in flight/);
    expect(lines.slice(7, 11).every((line) => line.startsWith('✔ '))).toBe(true);
    expect(lines[11]).toBe('');
    expect(lines[12]).toMatch(/^8 delivered, 0 failed in /);
    expect(lines[13]).toBe('Interrupted: 8 of 50 events delivered, 42 not sent.');
  });

  it('listen prints every line to a file', async () => {
    const file = outputFile();
    const log = join(file, '..', 'capture.ndjson');
    const child = startToFile(['listen', '--port', '0', '--secret', SECRET, '--log', log], file);
    const exited = exitCodeOf(child);
    const url = await waitFor(() => readFileSync(file, 'utf8').match(/^Listening on (\S+)/m)?.[1]);

    const sent = await runCli(['send', 'wager.created', '--count', String(COUNT), '--concurrency', '16', '--to', url, '--secret', SECRET, '--json'], { timeoutMs: 60_000 });
    child.kill('SIGINT');
    const code = await exited;
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const captured = lines.filter((line) => line.includes(' --> '));
    const sentIds = sent.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { event_id: string }).event_id);

    expect(sent.code).toBe(0);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^Listening on /);
    expect(lines[1]).toMatch(/^Verifying with /);
    expect(captured).toHaveLength(COUNT);
    expect(lines.slice(2, COUNT + 2)).toEqual(captured);
    expect(captured.map((line) => line.match(/ (evt_\w+) /)?.[1]).sort()).toEqual(sentIds.sort());
    expect(lines.at(-1)).toMatch(new RegExp(`^Stopped\\. ${COUNT} captured: ${COUNT} valid`));
  });
});

/** Polls `probe` every 20 ms until it returns a truthy value, for at most 20 s. */
async function waitFor<T>(probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error('the condition did not hold within 20 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
