import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';

const SECRET = 'whsec_test_receiver_Zoë';

const EVENT_TYPES = [
  'kyc.started',
  'kyc.completed',
  'kyc.failed',
  'payment.created',
  'payment.succeeded',
  'payment.failed',
  'payment.refunded',
  'wager.created',
  'wager.completed',
  'wager.cancelled',
  'tournament.started',
  'tournament.ended',
  'tournament.cancelled',
];

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  verified: boolean;
}

/**
 * A webhook receiver that shares no code with pllay-hooks: it checks the
 * signature with its own HMAC, as an app following PLLAY's guide would,
 * and answers 401 when the check fails.
 */
function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const signature = request.headers['pllay-signature'];
      const expected = createHmac('sha256', SECRET).update(body).digest('hex');
      const verified =
        typeof signature === 'string' &&
        signature.length === expected.length &&
        timingSafeEqual(Buffer.from(signature), Buffer.from(expected));

      received.push({ path: request.url ?? '', headers: request.headers, body, verified });
      response.writeHead(verified ? 200 : 401, { 'content-type': 'application/json' });
      response.end(verified ? '{"received":true}' : '{"error":"invalid signature"}');
    });
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `127.0.0.1:${port}`, received, server });
    });
  });
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(async (server) => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }),
  );
});

describe('send to an independent receiver', () => {
  it('delivers all 13 types verified', async () => {
    const receiver = await startReceiver();
    servers.push(receiver.server);

    const result = await runCli(['send', '--all', '--to', receiver.url, '--secret', SECRET]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(receiver.received).toHaveLength(13);
    expect(receiver.received.map((request) => request.verified)).toEqual(Array(13).fill(true));
    const types = receiver.received.map((request) => (JSON.parse(request.body.toString('utf8')) as { type: string }).type);
    expect(types.sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('sends exact headers for every type', async () => {
    const receiver = await startReceiver();
    servers.push(receiver.server);

    await runCli(['send', '--all', '--to', receiver.url, '--secret', SECRET]);

    expect(receiver.received).toHaveLength(13);
    for (const request of receiver.received) {
      expect(request.path).toBe('/webhooks/pllay');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['content-length']).toBe(String(request.body.byteLength));
      expect(request.headers['transfer-encoding']).toBeUndefined();
      expect(request.headers['pllay-signature']).toMatch(/^[0-9a-f]{64}$/);
      expect(request.headers['user-agent']).toMatch(/^pllay-hooks\//);
    }
  });

  it('counts multibyte text in content-length', async () => {
    const receiver = await startReceiver();
    servers.push(receiver.server);

    const result = await runCli(['send', 'tournament.started', '--to', receiver.url, '--secret', SECRET]);
    const [request] = receiver.received;
    const text = request!.body.toString('utf8');

    expect(result.code).toBe(0);
    expect(text).toContain('🏆');
    expect(text).toContain('zoë_kitsune');
    expect(request!.body.byteLength).toBeGreaterThan(text.length);
    expect(request!.headers['content-length']).toBe(String(request!.body.byteLength));
    expect(request!.verified).toBe(true);
  });

  it('sends realistic envelopes', async () => {
    const receiver = await startReceiver();
    servers.push(receiver.server);

    await runCli(['send', '--all', '--to', receiver.url, '--secret', SECRET]);

    for (const request of receiver.received) {
      const envelope = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      expect(Object.keys(envelope)).toEqual(['id', 'type', 'created', 'data']);
      expect(envelope.id).toMatch(/^evt_/);
      expect(Number.isInteger(envelope.created)).toBe(true);
      expect((envelope.data as { object: { id: string } }).object.id).toMatch(/^(kyc|pay|wgr|trn)_/);
    }
  });

  it('fails verification under another secret', async () => {
    const receiver = await startReceiver();
    servers.push(receiver.server);

    const result = await runCli(['send', 'payment.succeeded', '--to', receiver.url, '--secret', 'whsec_other']);

    expect(result.code).toBe(1);
    expect(receiver.received.map((request) => request.verified)).toEqual([false]);
    expect(result.stdout).toContain('401');
  });
});
