import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { Forwarder, type ForwardOptions } from '../../src/capture/forward.js';
import {
  startCaptureServer,
  type CaptureEvent,
  type RunningCaptureServer,
} from '../../src/capture/server.js';
import { LogWriter } from '../../src/log/index.js';
import { startTestServer, type TestHandler, type TestServer } from '../helpers/server.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_forward';
const BODY = '{"id":"evt_fwd","type":"payment.succeeded","created":1,"data":{"object":{}}}';
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

async function app(handler: TestHandler): Promise<TestServer> {
  const started = await startTestServer(handler);
  cleanups.push(() => started.close());
  return started;
}

interface Listening {
  server: RunningCaptureServer;
  events: CaptureEvent[];
  logPath: string;
}

async function listen(options: Omit<ForwardOptions, 'url'> & { to: string }): Promise<Listening> {
  const folder = tempDir();
  const logPath = join(folder.path, 'capture.ndjson');
  const log = LogWriter.open(logPath);
  const forwarder = new Forwarder({
    timeoutMs: 5000,
    ...options,
    url: new URL(`${options.to}/webhooks/pllay`),
  });
  const events: CaptureEvent[] = [];
  const server = await startCaptureServer({
    host: '127.0.0.1',
    port: 0,
    secrets: [SECRET],
    log,
    forwarder,
    onEvent: (event) => events.push(event),
  });

  cleanups.push(
    () => folder.remove(),
    () => log.close(),
    () => forwarder.close(),
    () => server.close(),
  );
  return { server, events, logPath };
}

function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      `${url}/webhooks/pllay`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: text, headers: response.headers }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

function signed(body: string): Record<string, string> {
  return { 'pllay-signature': createHmac('sha256', SECRET).update(body).digest('hex') };
}

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 5000) {
      throw new Error('condition not met within 5 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('listen forwarding', () => {
  it('passes body and signature on', async () => {
    const target = await app((_request, response) => {
      response.writeHead(200).end('{"ok":true}');
    });
    const { server } = await listen({ to: target.url });

    await post(server.url, BODY, {
      ...signed(BODY),
      'x-trace': 'abc',
      'x-hop': '1',
      connection: 'keep-alive, x-hop',
    });
    await until(() => target.requests.length === 1);

    const received = target.requests[0]!;
    expect(received.body.toString()).toBe(BODY);
    expect(received.headers['pllay-signature']).toBe(signed(BODY)['pllay-signature']);
    expect(received.headers['x-trace']).toBe('abc');
    expect(received.headers['x-hop']).toBeUndefined();
    expect(received.headers.host).toBe(`127.0.0.1:${target.port}`);
  });

  it('responds before a slow app', async () => {
    let release = (): void => undefined;
    const target = await app((_request, response) => {
      release = () => response.writeHead(200).end();
    });
    const { server, events } = await listen({ to: target.url });

    const reply = await post(server.url, BODY, signed(BODY));

    expect(reply.status).toBe(200);
    expect(events.some((event) => event.kind === 'forwarded')).toBe(false);
    await until(() => target.requests.length === 1);
    release();
    await until(() => events.some((event) => event.kind === 'forwarded'));
  });

  it('relays the app response when sync', async () => {
    const target = await app((_request, response) => {
      response
        .writeHead(422, { 'content-type': 'application/problem+json' })
        .end('{"error":"unknown customer"}');
    });
    const { server } = await listen({ to: target.url, sync: true });

    const reply = await post(server.url, BODY, signed(BODY));

    expect(reply.status).toBe(422);
    expect(reply.body).toBe('{"error":"unknown customer"}');
    expect(reply.headers['content-type']).toBe('application/problem+json');
  });

  it('responds 502 when the app is down', async () => {
    const target = await app(() => undefined);
    const url = target.url;
    await target.close();
    const { server, logPath } = await listen({ to: url, sync: true });

    const reply = await post(server.url, BODY, signed(BODY));

    expect(reply.status).toBe(502);
    expect(reply.body).toContain('connection refused');
    const delivery = readNdjson(logPath).find((record) => record.kind === 'delivery')!;
    expect(delivery).toMatchObject({
      source: 'forward',
      event_id: 'evt_fwd',
      ok: false,
      body: BODY,
    });
    expect((delivery.attempts as Array<Record<string, unknown>>)[0]!.error_code).toBe(
      'ECONNREFUSED',
    );
  });

  it('skips invalid signatures by default', async () => {
    const target = await app((_request, response) => {
      response.writeHead(200).end();
    });
    const { server, events } = await listen({ to: target.url });

    await post(server.url, BODY, { 'pllay-signature': 'f'.repeat(64) });
    await post(server.url, BODY);

    expect(target.requests).toHaveLength(0);
    expect(events.filter((event) => event.kind === 'not-forwarded')).toHaveLength(2);
  });

  it('forwards invalid signatures when asked', async () => {
    const target = await app((_request, response) => {
      response.writeHead(200).end();
    });
    const { server } = await listen({ to: target.url, forwardInvalid: true });

    await post(server.url, BODY, { 'pllay-signature': 'f'.repeat(64) });
    await until(() => target.requests.length === 1);

    expect(target.requests[0]!.headers['pllay-signature']).toBe('f'.repeat(64));
  });

  it('logs a failed forward on close', async () => {
    const target = await app((_request, response) => {
      response.writeHead(503).end('busy');
    });
    const { server, logPath } = await listen({ to: target.url });

    await post(server.url, BODY, signed(BODY));
    await server.close();

    const records = readNdjson(logPath);
    expect(records.map((record) => record.kind)).toEqual(['capture', 'delivery']);
    expect(records[1]).toMatchObject({
      ok: false,
      target: `${target.url}/webhooks/pllay`,
      signature: 'valid',
    });
    expect((records[1]!.attempts as Array<Record<string, unknown>>)[0]).toMatchObject({
      status: 503,
      response: 'busy',
    });
  });

  it('treats a redirect as a failure', async () => {
    const target = await app((_request, response) => {
      response.writeHead(302, { location: '/elsewhere' }).end();
    });
    const { server, events } = await listen({ to: target.url });

    await post(server.url, BODY, signed(BODY));
    await until(() => events.some((event) => event.kind === 'forwarded'));

    const forwarded = events.find((event) => event.kind === 'forwarded')!;
    expect(forwarded).toMatchObject({ delivery: { ok: false }, attempt: { status: 302 } });
    expect(target.requests).toHaveLength(1);
  });
});
