import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { sendRaw } from '../helpers/http.js';
import { startListen, type RunningListen } from '../helpers/listen.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_listen_ui';
const BODY = '{"id":"evt_ui_1","type":"kyc.started","created":1700000000,"data":{"object":{"id":"kyc_1"}}}';
const listens: RunningListen[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  const stopping = listens.splice(0);
  await Promise.all(stopping.map((listen) => listen.cli.stop()));
  stopping.forEach((listen) => listen.remove());
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

async function listen(args: string[]): Promise<RunningListen> {
  const started = await startListen(['--secret', SECRET, ...args]);
  listens.push(started);
  return started;
}

async function inspectorUrl(running: RunningListen): Promise<string> {
  const [, url] = await running.cli.waitForLine(/^Inspector on (\S+)/m);
  return url!;
}

function signed(body: string): { body: string; headers: Record<string, string> } {
  return { body, headers: { 'pllay-signature': createHmac('sha256', SECRET).update(body).digest('hex') } };
}

/** Reads the page's token, as the page itself does. */
async function pageToken(url: string): Promise<string> {
  const page = await sendRaw(url, { method: 'GET' });
  const match = /<meta name="pllay-token" content="([0-9a-f]+)">/.exec(page.body);
  if (!match) {
    throw new Error(`no token in the page:\n${page.body}`);
  }
  return match[1]!;
}

function startListenJson(folder: string): RunningCli {
  const cli = startCli(['listen', '--ui', '--json', '--port', '0', '--log', join(folder, 'c.ndjson'), '--secret', SECRET]);
  cleanups.push(async () => {
    await cli.stop();
  });
  return cli;
}

async function app(): Promise<TestServer> {
  const server = await startTestServer();
  cleanups.push(() => server.close());
  return server;
}

describe('listen --ui', () => {
  it('prints the inspector URL', async () => {
    const running = await listen(['--ui']);
    const url = await inspectorUrl(running);
    const base = running.url.replace('/webhooks/pllay', '');

    expect(running.cli.stdout().split('\n')[0]).toMatch(/^Listening on /);
    expect(url).toBe(`${base}/__pllay/`);
    const page = await sendRaw(url, { method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('pllay-hooks inspector');
  });

  it('prints the URL as JSON', async () => {
    const folder = tempDir();
    cleanups.push(() => folder.remove());
    const running = startListenJson(folder.path);

    const [, line] = await running.waitForLine(/^(\{"kind":"inspector".*)$/m);

    expect(JSON.parse(line!)).toEqual({ kind: 'inspector', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/__pllay\/$/) });
  });

  it('still captures webhooks', async () => {
    const running = await listen(['--ui']);
    await inspectorUrl(running);

    const response = await sendRaw(running.url, signed(BODY));

    expect(response.status).toBe(200);
    expect(readNdjson(running.log)).toHaveLength(1);
  });

  it('serves on --ui-port', async () => {
    const running = await listen(['--ui-port', '0']);
    const url = await inspectorUrl(running);
    const base = running.url.replace('/webhooks/pllay', '');

    const page = await sendRaw(url, { method: 'GET' });
    const onWebhookPort = await sendRaw(`${base}/__pllay/`, { method: 'GET' });
    const root = await sendRaw(url.replace('/__pllay/', '/'), { method: 'GET' });

    expect(url).not.toContain(base);
    expect(page.status).toBe(200);
    expect(onWebhookPort.status).toBe(405);
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/__pllay/');
  });

  it('reports a busy --ui-port', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const { port } = blocker.address() as { port: number };
    const folder = tempDir();
    cleanups.push(() => folder.remove());

    const result = await runCli(['listen', '--port', '0', '--ui-port', String(port), '--log', join(folder.path, 'c.ndjson')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: port ${port} on 127.0.0.1 is already in use [E_PORT_IN_USE]`);
    expect(result.stderr).toContain('pick another port with --ui-port');
  });

  it('loads earlier events from the log', async () => {
    const first = await listen([]);
    await sendRaw(first.url, signed(BODY));
    await sendRaw(first.url, signed(BODY.replace('evt_ui_1', 'evt_ui_2')));
    await first.cli.stop();

    const second = await listen(['--ui', '--log', first.log]);
    const url = await inspectorUrl(second);
    const token = await pageToken(url);
    const events = await sendRaw(`${url}api/events`, { method: 'GET', headers: { 'x-pllay-token': token } });

    expect(second.cli.stderr()).toContain(`Inspector: 2 earlier events loaded from ${first.log}`);
    const { entries } = JSON.parse(events.body) as { entries: Array<{ event_id: string }> };
    expect(entries.map((entry) => entry.event_id)).toEqual(['evt_ui_1', 'evt_ui_2']);
  });

  it('shows and counts replays', async () => {
    const target = await app();
    const running = await listen(['--ui', '--forward-to', target.url]);
    const url = await inspectorUrl(running);
    await sendRaw(running.url, signed(BODY));
    await running.cli.waitForLine(/<-- 200/);
    const token = await pageToken(url);

    const response = await sendRaw(`${url}api/events/1/replay`, {
      body: '{}',
      headers: { 'x-pllay-token': token, origin: url.replace('/__pllay/', '') },
    });
    await running.cli.waitForLine(/replayed to/);
    const code = await running.cli.stop('SIGINT');

    expect(response.status).toBe(200);
    expect(code).toBe(0);
    expect(target.requests).toHaveLength(2);
    expect(running.cli.stdout()).toMatch(
      new RegExp(`kyc\\.started +evt_ui_1  replayed to ${target.url}/webhooks/pllay: ✔ accepted with 200`),
    );
    expect(running.cli.stderr()).toContain('Replayed from the inspector: 1 delivered, 0 failed.');
    expect(readNdjson(running.log).map((record) => record.source)).toEqual([undefined, 'forward', 'replay']);
  });
});

describe('listen without --ui', () => {
  it('reserves no path', async () => {
    const running = await listen([]);
    const base = running.url.replace('/webhooks/pllay', '');

    const page = await sendRaw(`${base}/__pllay/`, { method: 'GET' });
    const posted = await sendRaw(`${base}/__pllay/api/events/1/replay`, signed(BODY));

    expect(page.status).toBe(405);
    expect(posted.status).toBe(200);
    expect(readNdjson(running.log)[0]!.path).toBe('/__pllay/api/events/1/replay');
  });
});
