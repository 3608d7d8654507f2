import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_payload';

/**
 * A body that any JSON round trip would change: odd indentation, keys out
 * of order, `\/` escapes, a `\u` escape, accents, emoji, CRLF inside and a
 * trailing newline.
 */
const PAYLOAD = [
  '{',
  '    "type": "payment.succeeded",',
  '  "id":"evt_payload_1",  "created" : 1761958815,',
  '\t"data": {"object": {',
  '      "url": "https:\\/\\/pllay.io\\/pay\\/1",',
  '      "note": "caf\\u00e9",',
  '      "name": "Zoë Ångström Núñez",\r',
  '      "team": "🎮 Los Tigres 🐯",',
  '      "amount": 1000, "currency": "USD", "amount": 2000',
  '  }}',
  '}',
  '',
].join('\n');

const folders: Array<{ path: string; remove(): void }> = [];
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

function writePayload(bytes: Buffer | string, name = 'event.json'): string {
  const folder = tempDir();
  folders.push(folder);
  const path = join(folder.path, name);
  writeFileSync(path, bytes);
  return path;
}

async function startServer(): Promise<TestServer> {
  const server = await startTestServer();
  servers.push(server);
  return server;
}

describe('send --payload', () => {
  it('sends the file byte for byte', async () => {
    const server = await startServer();
    const file = writePayload(PAYLOAD);

    const result = await runCli(['send', '--payload', file, '--to', server.url, '--secret', SECRET]);
    const [request] = server.requests;

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(request!.body.equals(Buffer.from(PAYLOAD))).toBe(true);
    expect(request!.body.toString('utf8')).toContain('https:\\/\\/pllay.io');
    expect(request!.body.toString('utf8').endsWith('}\n')).toBe(true);
  });

  it('signs the exact bytes', async () => {
    const server = await startServer();
    const file = writePayload(PAYLOAD);

    await runCli(['send', '--payload', file, '--to', server.url, '--secret', SECRET]);
    const [request] = server.requests;

    expect(request!.headers['pllay-signature']).toBe(
      createHmac('sha256', SECRET).update(Buffer.from(PAYLOAD)).digest('hex'),
    );
    expect(request!.headers['content-length']).toBe(String(Buffer.byteLength(PAYLOAD)));
    expect(Buffer.byteLength(PAYLOAD)).toBeGreaterThan(PAYLOAD.length);
  });

  it('shows the id and type of the file', async () => {
    const server = await startServer();
    const file = writePayload(PAYLOAD);

    const result = await runCli(['send', '--payload', file, '--to', server.url, '--secret', SECRET]);

    expect(result.stdout).toContain('payment.succeeded');
    expect(result.stdout).toContain('evt_payload_1');
  });

  it('sends bytes that are not JSON', async () => {
    const server = await startServer();
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x0a]);
    const file = writePayload(bytes, 'event.bin');

    const result = await runCli(['send', '--payload', file, '--to', server.url, '--secret', SECRET]);
    const [request] = server.requests;

    expect(result.code).toBe(0);
    expect(request!.body.equals(bytes)).toBe(true);
    expect(request!.headers['pllay-signature']).toBe(createHmac('sha256', SECRET).update(bytes).digest('hex'));
  });

  it('sends the same bytes --count times', async () => {
    const server = await startServer();
    const file = writePayload(PAYLOAD);

    const result = await runCli(['send', '--payload', file, '--count', '3', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.body.equals(Buffer.from(PAYLOAD))).toBe(true);
    }
  });

  it('logs the exact bytes', async () => {
    const server = await startServer();
    const file = writePayload(PAYLOAD);
    const log = join(folders[0]!.path, 'deliveries.ndjson');

    await runCli(['send', '--payload', file, '--to', server.url, '--secret', SECRET, '--log', log]);
    const [record] = readNdjson(log);

    expect(record!.body).toBe(PAYLOAD);
    expect(record!.event_id).toBe('evt_payload_1');
  });

  it('rejects a missing file', async () => {
    const server = await startServer();
    const folder = tempDir();
    folders.push(folder);
    const missing = join(folder.path, 'nope.json');

    const result = await runCli(['send', '--payload', missing, '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).toContain('not found');
  });

  it('rejects event types beside it', async () => {
    const server = await startServer();
    const file = writePayload(PAYLOAD);

    const result = await runCli(['send', 'kyc.started', '--payload', file, '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain('--payload');
    expect(result.stderr).toContain('leave out the event types');
  });

  it('rejects flags that change events', async () => {
    const server = await startServer();
    const file = writePayload(PAYLOAD);
    const data = writePayload('{"a":1}', 'data.json');
    const flags = ['--id', 'x', '--set', 'a=1', '--data', data];

    const result = await runCli(['send', '--payload', file, ...flags, '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain('--id, --set and --data cannot change it');
    expect(result.stderr).toContain('[E_PAYLOAD_WITH_CHANGES]');
  });

  it('rejects --created too', async () => {
    const server = await startServer();
    const file = writePayload(PAYLOAD);

    const result = await runCli(['send', '--payload', file, '--created', '1761958815', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain('so --created cannot change it');
  });

  it('reads standard input for -', async () => {
    const server = await startServer();

    const result = await runCli(['send', '--payload', '-', '--to', server.url, '--secret', SECRET], { input: PAYLOAD });
    const [request] = server.requests;

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(request!.body.equals(Buffer.from(PAYLOAD))).toBe(true);
    expect(request!.headers['pllay-signature']).toBe(
      createHmac('sha256', SECRET).update(Buffer.from(PAYLOAD)).digest('hex'),
    );
  });

  it('rejects empty standard input', async () => {
    const server = await startServer();

    const result = await runCli(['send', '--payload', '-', '--to', server.url, '--secret', SECRET], { input: '' });

    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain('[E_FILE_EMPTY]');
  });

  it('names a folder as a folder', async () => {
    const server = await startServer();
    const folder = tempDir();
    folders.push(folder);

    const result = await runCli(['send', '--payload', folder.path, '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain(`${folder.path}: it is a folder, not a file`);
    expect(result.stderr).not.toContain('EISDIR');
  });
});
