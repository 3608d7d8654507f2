import { createHmac } from 'node:crypto';
import { join } from 'node:path';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { sendRaw } from '../helpers/http.js';
import { startListen, type RunningListen } from '../helpers/listen.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_listen_server';
const listens: RunningListen[] = [];
const clis: RunningCli[] = [];
const servers: TestServer[] = [];
const folders: Array<{ path: string; remove(): void }> = [];

afterEach(async () => {
  const stopping = listens.splice(0);
  await Promise.all([
    ...stopping.map((listen) => listen.cli.stop()),
    ...clis.splice(0).map((cli) => cli.stop()),
    ...servers.splice(0).map((server) => server.close()),
  ]);
  stopping.forEach((listen) => listen.remove());
  folders.splice(0).forEach((folder) => folder.remove());
});

async function listen(args: string[] = []): Promise<RunningListen> {
  const started = await startListen(['--secret', SECRET, ...args]);
  listens.push(started);
  return started;
}

function signed(body: Buffer | string): { body: Buffer | string; headers: Record<string, string> } {
  return { body, headers: { 'pllay-signature': createHmac('sha256', SECRET).update(body).digest('hex') } };
}

function isRunning(cli: RunningCli): boolean {
  return cli.child.exitCode === null && cli.child.signalCode === null;
}

describe('listen start', () => {
  it('prints the URL first', async () => {
    const server = await listen();
    const [first] = server.cli.stdout().split('\n');

    expect(first).toMatch(/^Listening on http:\/\/127\.0\.0\.1:\d+\/webhooks\/pllay\b/);
    expect(server.url).not.toContain(':0/');
    expect(first).toContain(server.url);
  });

  it('captures at the printed URL', async () => {
    const server = await listen();

    const response = await sendRaw(server.url, signed('{"id":"evt_1","type":"kyc.started"}'));

    expect(response.status).toBe(200);
    expect(readNdjson(server.log)).toHaveLength(1);
  });

  it('captures any POST path', async () => {
    const server = await listen();
    const base = server.url.replace('/webhooks/pllay', '');

    await sendRaw(`${base}/api/hooks?source=test`, signed('{}'));

    expect(readNdjson(server.log)[0]!.path).toBe('/api/hooks?source=test');
  });

  it('answers health checks', async () => {
    const server = await listen();
    const base = server.url.replace('/webhooks/pllay', '');

    const health = await sendRaw(`${base}/health`, { method: 'GET' });
    const put = await sendRaw(server.url, { method: 'PUT', body: '{}' });

    expect(health.status).toBe(200);
    expect(put.status).toBe(405);
    expect(readNdjson(server.log)).toHaveLength(0);
  });

  it('reports a port in use', async () => {
    const occupant = await startTestServer();
    servers.push(occupant);
    const folder = tempDir();
    folders.push(folder);

    const result = await runCli(['listen', '--port', String(occupant.port), '--log', join(folder.path, 'capture.ndjson')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`port ${occupant.port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain('--port');
    expect(result.stderr).not.toContain('internal error');
    expect(result.stdout).toBe('');
  });

  it('rejects an unwritable log', async () => {
    const folder = tempDir();
    folders.push(folder);

    const result = await runCli(['listen', '--port', '0', '--log', folder.path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(folder.path);
  });
});

describe('listen --max-body', () => {
  it('answers 413 and carries on', async () => {
    const server = await listen(['--max-body', '1kb']);

    const large = await sendRaw(server.url, signed(`{"pad":"${'x'.repeat(4096)}"}`));
    const after = await sendRaw(server.url, signed('{"id":"evt_after"}'));

    expect(large.status).toBe(413);
    expect(large.body).toContain('1024 bytes');
    expect(after.status).toBe(200);
    expect(readNdjson(server.log).map((record) => record.event_id)).toEqual(['evt_after']);
    expect(isRunning(server.cli)).toBe(true);
  });

  it('rejects a large chunked body', async () => {
    const server = await listen(['--max-body', '1kb']);

    const large = await sendRaw(server.url, { ...signed(`{"pad":"${'x'.repeat(64 * 1024)}"}`), chunked: true });
    const after = await sendRaw(server.url, signed('{"id":"evt_after"}'));

    expect(large.status).toBe(413);
    expect(after.status).toBe(200);
    expect(readNdjson(server.log)).toHaveLength(1);
  });

  it('accepts a body at the limit', async () => {
    const server = await listen(['--max-body', '1024']);
    const body = `{"pad":"${'x'.repeat(1024 - 10)}"}`;

    const response = await sendRaw(server.url, signed(body));

    expect(Buffer.byteLength(body)).toBe(1024);
    expect(response.status).toBe(200);
    expect(readNdjson(server.log)[0]!.signature).toBe('valid');
  });

  it('warns about the rejected body', async () => {
    const server = await listen(['--max-body', '1kb']);

    await sendRaw(server.url, signed('x'.repeat(2048)));

    await vi.waitFor(() => expect(server.cli.stderr()).toContain('413'));
  });
});

describe('listen stop', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('prints a summary on %s', async (signal) => {
    const server = await listen();
    await sendRaw(server.url, signed('{"id":"evt_a","type":"kyc.started"}'));
    await sendRaw(server.url, { body: '{"id":"evt_b"}' });

    const code = await server.cli.stop(signal);

    expect(code).toBe(0);
    expect(server.cli.stderr()).toContain('Stopped. 2 captured: 1 valid, 0 invalid, 1 missing');
    expect(server.cli.stderr()).toContain(server.log);
    expect(readNdjson(server.log)).toHaveLength(2);
  });

  it('stops with nothing captured', async () => {
    const server = await listen();

    const code = await server.cli.stop('SIGINT');

    expect(code).toBe(0);
    expect(server.cli.stderr()).toContain('Stopped. 0 captured');
  });
});

describe('listen --json', () => {
  it('prints NDJSON only', async () => {
    const folder = tempDir();
    folders.push(folder);
    const log = join(folder.path, 'capture.ndjson');
    const cli = startCli(['listen', '--port', '0', '--log', log, '--secret', SECRET, '--json']);
    clis.push(cli);
    const [, url] = await cli.waitForLine(/"url":"([^"]+)"/);

    await sendRaw(`${url}/webhooks/pllay`, signed('{"id":"evt_json_1","type":"kyc.started"}'));
    await sendRaw(`${url}/webhooks/pllay`, { body: '{"id":"evt_json_2"}' });
    await cli.waitForLine(/evt_json_2/);
    const lines = cli.stdout().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(lines[0]).toMatchObject({ kind: 'listening', url, log });
    expect(lines.slice(1).map((line) => [line.event_id, line.signature])).toEqual([
      ['evt_json_1', 'valid'],
      ['evt_json_2', 'missing'],
    ]);
    expect(await cli.stop('SIGINT')).toBe(0);
  });
});
