import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_send_output';
const servers: TestServer[] = [];
const folders: Array<{ path: string; remove(): void }> = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

async function startServer(status = 200): Promise<TestServer> {
  const server = await startTestServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end('{"received":true}');
  });
  servers.push(server);
  return server;
}

function logPath(): string {
  const folder = tempDir();
  folders.push(folder);
  return join(folder.path, 'logs', 'deliveries.ndjson');
}

describe('send --json', () => {
  it('prints one result per delivery', async () => {
    const server = await startServer();

    const result = await runCli(['send', '--all', '--count', '2', '--to', server.url, '--secret', SECRET, '--json']);
    const lines = result.stdout.trimEnd().split('\n');
    const results = lines.map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(result.code).toBe(0);
    expect(lines).toHaveLength(26);
    expect(new Set(results.map((line) => line.event_id)).size).toBe(26);
    for (const line of results) {
      expect(line).toMatchObject({ ok: true, status: 200, error: null, error_code: null, target: `${server.url}/webhooks/pllay` });
      expect(line.event_id).toMatch(/^evt_/);
      expect(typeof line.duration_ms).toBe('number');
      expect(line.response).toBe('{"received":true}');
    }
  });

  it('matches ids to requests', async () => {
    const server = await startServer();

    const result = await runCli(['send', 'kyc.started', 'kyc.failed', '--to', server.url, '--secret', SECRET, '--json']);
    const ids = result.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { event_id: string }).event_id);
    const received = server.requests.map((request) => (JSON.parse(request.body.toString()) as { id: string }).id);

    expect(ids.sort()).toEqual(received.sort());
  });

  it('reports failures as data', async () => {
    const server = await startServer(500);

    const result = await runCli(['send', 'kyc.started', '--to', server.url, '--secret', SECRET, '--json']);
    const line = JSON.parse(result.stdout) as Record<string, unknown>;

    expect(result.code).toBe(1);
    expect(line).toMatchObject({ type: 'kyc.started', ok: false, status: 500 });
  });
});

describe('send --log', () => {
  it('writes a delivery record per event', async () => {
    const server = await startServer();
    const log = logPath();

    const result = await runCli(['send', '--all', '--to', server.url, '--secret', SECRET, '--log', log]);
    const records = readNdjson(log);

    expect(result.code).toBe(0);
    expect(records).toHaveLength(13);
    for (const record of records) {
      expect(record.kind).toBe('delivery');
      expect(record.source).toBe('send');
      expect(record.event_id).toMatch(/^evt_/);
      expect(typeof record.type).toBe('string');
      expect(record.signature).toBe('valid');
      expect(record.target).toBe(`${server.url}/webhooks/pllay`);
      expect(record.ok).toBe(true);
    }
  });

  it('stores the exact body sent', async () => {
    const server = await startServer();
    const log = logPath();

    await runCli(['send', '--all', '--to', server.url, '--secret', SECRET, '--log', log]);
    const bodies = readNdjson(log).map((record) => record.body);
    const sent = server.requests.map((request) => request.body.toString('utf8'));

    expect(bodies.sort()).toEqual(sent.sort());
  });

  it('records each attempt', async () => {
    const server = await startServer(503);
    const log = logPath();

    await runCli(['send', 'payment.failed', '--to', server.url, '--secret', SECRET, '--log', log]);
    const [record] = readNdjson(log);
    const [attempt] = record!.attempts as Array<Record<string, unknown>>;

    expect(record!.ok).toBe(false);
    expect(attempt!.status).toBe(503);
    expect(typeof attempt!.duration_ms).toBe('number');
    expect(Number.isNaN(Date.parse(attempt!.at as string))).toBe(false);
    expect(attempt!.response).toBe('{"received":true}');
  });

  it('records a network error', async () => {
    const server = await startTestServer();
    await server.close();
    const log = logPath();

    const result = await runCli(['send', 'payment.failed', '--to', server.url, '--secret', SECRET, '--log', log]);
    const [record] = readNdjson(log);
    const [attempt] = record!.attempts as Array<Record<string, unknown>>;

    expect(result.code).toBe(1);
    expect(record!.ok).toBe(false);
    expect(attempt!.status).toBeUndefined();
    expect(attempt!.error_code).toBe('ECONNREFUSED');
    expect(attempt!.error).toContain('nothing is listening');
    expect(typeof attempt!.duration_ms).toBe('number');
  });

  it('appends without rewriting', async () => {
    const server = await startServer();
    const log = logPath();

    await runCli(['send', 'kyc.started', '--to', server.url, '--secret', SECRET, '--log', log]);
    const first = readFileSync(log, 'utf8');
    await runCli(['send', 'kyc.completed', 'kyc.failed', '--to', server.url, '--secret', SECRET, '--log', log]);
    const second = readFileSync(log, 'utf8');

    expect(second.startsWith(first)).toBe(true);
    expect(readNdjson(log).map((record) => record.type)).toEqual(['kyc.started', 'kyc.completed', 'kyc.failed']);
  });

  it('never writes the secret', async () => {
    const server = await startServer();
    const log = logPath();

    await runCli(['send', '--all', '--to', server.url, '--secret', SECRET, '--log', log]);

    expect(readFileSync(log, 'utf8')).not.toContain(SECRET);
  });

  it('rejects an unwritable log', async () => {
    const server = await startServer();
    const folder = tempDir();
    folders.push(folder);

    const result = await runCli(['send', 'kyc.started', '--to', server.url, '--secret', SECRET, '--log', folder.path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(folder.path);
    expect(server.requests).toHaveLength(0);
  });
});
