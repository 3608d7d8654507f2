import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { startCaptureServer, type RunningCaptureServer } from '../../src/capture/server.js';
import { Inspector, type InspectorOptions } from '../../src/inspector/index.js';
import { LogWriter } from '../../src/log/index.js';
import { DEFAULT_BACKOFF } from '../../src/replay/backoff.js';
import { sendRaw, type RawRequest, type RawResponse } from '../helpers/http.js';
import { startTestServer, type TestHandler, type TestServer } from '../helpers/server.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_inspector';
const TOKEN = 'a'.repeat(48);
const BODY = '{"id":"evt_inspect_1","type":"payment.succeeded","created":1700000000,"data":{"object":{"id":"pay_1"}}}';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

interface Running {
  inspector: Inspector;
  server: RunningCaptureServer;
  log: string;
  /** The inspector's base URL, such as http://127.0.0.1:41234/__pllay/. */
  base: string;
}

async function start(options: Partial<InspectorOptions> = {}): Promise<Running> {
  const folder = tempDir();
  const path = join(folder.path, 'capture.ndjson');
  const log = LogWriter.open(path);
  const inspector = new Inspector({
    log,
    secrets: [SECRET],
    token: TOKEN,
    policy: { ...DEFAULT_BACKOFF, initialDelayMs: 20, maxDelayMs: 100 },
    ...options,
  });
  await inspector.loadHistory();
  const server = await startCaptureServer({
    host: '127.0.0.1',
    port: 0,
    secrets: [SECRET],
    log,
    intercept: inspector.handle,
    onEvent: (event) => inspector.publish(event),
  });

  cleanups.push(async () => {
    await inspector.close();
    await server.close();
    await log.close();
    folder.remove();
  });
  return { inspector, server, log: path, base: `${server.url}/__pllay/` };
}

async function app(handler?: TestHandler): Promise<TestServer> {
  const server = await startTestServer(handler);
  cleanups.push(() => server.close());
  return server;
}

function signature(body: string): string {
  return createHmac('sha256', SECRET).update(body).digest('hex');
}

function capture(running: Running, body = BODY, headers: Record<string, string> = {}): Promise<RawResponse> {
  return sendRaw(`${running.server.url}/webhooks/pllay`, {
    body,
    headers: { 'pllay-signature': signature(body), ...headers },
  });
}

function api(running: Running, path: string, options: RawRequest = {}): Promise<RawResponse> {
  return sendRaw(`${running.base}api/${path}`, {
    method: 'GET',
    ...options,
    headers: { 'x-pllay-token': TOKEN, ...options.headers },
  });
}

/** Sends a replay request as the page does; a header set to null is left out. */
function replay(
  running: Running,
  seq: number,
  body: object,
  headers: Record<string, string | null> = {},
): Promise<RawResponse> {
  const all: Record<string, string | null> = {
    'content-type': 'application/json',
    origin: running.server.url,
    ...headers,
  };
  const sent = Object.fromEntries(Object.entries(all).filter(([, value]) => value !== null)) as Record<string, string>;
  return api(running, `events/${seq}/replay`, { method: 'POST', body: JSON.stringify(body), headers: sent });
}

describe('inspector page', () => {
  it('serves the page with its token', async () => {
    const running = await start();

    const page = await sendRaw(running.base, { method: 'GET' });

    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain(`<meta name="pllay-token" content="${TOKEN}">`);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves its script and style', async () => {
    const running = await start();

    const script = await sendRaw(`${running.base}inspector.js`, { method: 'GET' });
    const style = await sendRaw(`${running.base}inspector.css`, { method: 'GET' });

    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(style.status).toBe(200);
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('redirects the bare prefix', async () => {
    const running = await start();

    const response = await sendRaw(`${running.server.url}/__pllay`, { method: 'GET' });

    expect(response.status).toBe(308);
    expect(response.headers.location).toBe('/__pllay/');
  });

  it('rejects another site as Host', async () => {
    const running = await start();
    const port = running.server.port;

    const rebound = await sendRaw(running.base, { method: 'GET', headers: { host: `attacker.example:${port}` } });
    const otherPort = await sendRaw(running.base, { method: 'GET', headers: { host: `127.0.0.1:${port + 1}` } });
    const localhost = await sendRaw(running.base, { method: 'GET', headers: { host: `localhost:${port}` } });

    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(TOKEN);
    expect(otherPort.status).toBe(403);
    expect(localhost.status).toBe(200);
  });

  it('keeps capturing other paths', async () => {
    const running = await start();

    const captured = await capture(running);
    const reserved = await sendRaw(`${running.base}hooks`, { body: BODY });

    expect(captured.status).toBe(200);
    expect(reserved.status).toBe(404);
    expect(readNdjson(running.log)).toHaveLength(1);
  });
});

describe('inspector API', () => {
  it('requires the token', async () => {
    const running = await start();

    const missing = await sendRaw(`${running.base}api/events`, { method: 'GET' });
    const wrong = await api(running, 'events', { headers: { 'x-pllay-token': 'b'.repeat(48) } });

    expect(missing.status).toBe(403);
    expect(wrong.status).toBe(403);
  });

  it('lists captured events', async () => {
    const running = await start();
    await capture(running);
    await capture(running, '{"not":"an event"}');

    const response = await api(running, 'events');
    const { entries } = JSON.parse(response.body) as { entries: Array<Record<string, unknown>> };

    expect(response.status).toBe(200);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ seq: 1, event_id: 'evt_inspect_1', verdict: 'valid', deliveries: 0 });
    expect(entries[1]).toMatchObject({ seq: 2, event_id: null, type: null });
    expect(entries[0]).not.toHaveProperty('body');
  });

  it('describes one event', async () => {
    const running = await start();
    await capture(running);

    const response = await api(running, 'events/1');
    const detail = JSON.parse(response.body) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(detail.body).toBe(BODY);
    expect(detail.headers).toContainEqual(['pllay-signature', signature(BODY)]);
    expect(detail.explanation).toEqual([expect.stringContaining('HMAC-SHA256')]);
    expect(detail.replay).toEqual({
      captured_signature: { header: 'pllay-signature', value: signature(BODY) },
      fresh_signature: { header: 'pllay-signature', value: signature(BODY) },
    });
  });

  it('never shows the secret', async () => {
    const running = await start();
    await capture(running, BODY, { 'x-debug': `secret=${SECRET}` });

    const detail = await api(running, 'events/1');
    const session = await api(running, 'session');

    expect(detail.body).not.toContain(SECRET);
    expect(detail.body).toContain('secret=[redacted: the secret]');
    expect(session.body).not.toContain(SECRET);
  });

  it('answers 404 for an unknown event', async () => {
    const running = await start();

    const response = await api(running, 'events/7');

    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'event 7 is no longer in memory' });
  });

  it('loads history from the log', async () => {
    const first = await start();
    await capture(first);
    await capture(first, BODY.replace('evt_inspect_1', 'evt_inspect_2'));
    await first.inspector.close();
    await first.server.close();

    const log = LogWriter.open(first.log);
    cleanups.push(() => log.close());
    const second = await start({ log });
    const { entries } = JSON.parse((await api(second, 'events')).body) as { entries: Array<{ event_id: string }> };

    expect(entries.map((entry) => entry.event_id)).toEqual(['evt_inspect_1', 'evt_inspect_2']);
  });
});

describe('inspector replay', () => {
  it('delivers and logs the replay', async () => {
    const target = await app();
    const running = await start();
    await capture(running);

    const response = await replay(running, 1, { url: target.url });
    const result = JSON.parse(response.body) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(result).toMatchObject({ outcome: 'delivered', reason: 'accepted with 200', signing: 'secret', logged: true });
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]!.url).toBe('/webhooks/pllay');
    expect(target.requests[0]!.body.toString('utf8')).toBe(BODY);
    expect(target.requests[0]!.headers['pllay-signature']).toBe(signature(BODY));
    const records = readNdjson(running.log);
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({
      kind: 'delivery',
      source: 'replay',
      event_id: 'evt_inspect_1',
      target: `${target.url}/webhooks/pllay`,
      ok: true,
      attempts: [{ status: 200 }],
    });
  });

  it('shows the attempt in the list', async () => {
    const target = await app();
    const running = await start();
    await capture(running);

    await replay(running, 1, { url: target.url });
    const { entries } = JSON.parse((await api(running, 'events')).body) as { entries: Array<Record<string, unknown>> };

    expect(entries[0]).toMatchObject({ deliveries: 1, last_delivery: { source: 'replay', ok: true, status: 200 } });
  });

  it('retries with the backoff of replay', async () => {
    const statuses = [503, 503, 200];
    const target = await app((_request, response, index) => {
      response.writeHead(statuses[index] ?? 200).end();
    });
    const running = await start();
    await capture(running);

    const result = JSON.parse((await replay(running, 1, { url: target.url })).body) as Record<string, unknown>;

    expect(result.outcome).toBe('delivered');
    expect(target.requests).toHaveLength(3);
    const record = readNdjson(running.log)[1]!;
    expect((record.attempts as Array<{ status: number }>).map((attempt) => attempt.status)).toEqual([503, 503, 200]);
  });

  it('keeps the captured signature on request', async () => {
    const target = await app();
    const running = await start();
    await capture(running, BODY, { 'pllay-signature': 'f'.repeat(64) });

    const result = JSON.parse((await replay(running, 1, { url: target.url, keep_signature: true })).body) as Record<string, unknown>;

    expect(result.signing).toBe('keep');
    expect(target.requests[0]!.headers['pllay-signature']).toBe('f'.repeat(64));
  });

  it('signs with the configured header', async () => {
    const target = await app();
    const running = await start({ signatureHeader: 'x-signature', signaturePrefix: 'v1=' });
    await capture(running);

    const detail = JSON.parse((await api(running, 'events/1')).body) as { replay: Record<string, unknown> };
    await replay(running, 1, { url: target.url });

    expect(detail.replay.fresh_signature).toEqual({ header: 'x-signature', value: `v1=${signature(BODY)}` });
    expect(target.requests[0]!.headers['x-signature']).toBe(`v1=${signature(BODY)}`);
  });

  it('defaults to the forward target', async () => {
    const target = await app();
    const running = await start({ forwardTarget: new URL(`${target.url}/hooks`) });
    await capture(running);

    const response = await replay(running, 1, {});

    expect(response.status).toBe(200);
    expect(target.requests[0]!.url).toBe('/hooks');
  });

  it('asks for a target without one', async () => {
    const running = await start();
    await capture(running);

    const response = await replay(running, 1, {});

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: 'no target: type the URL of your webhook endpoint',
      hint: 'or start listen with --forward-to URL',
    });
  });

  it('rejects a non-http target', async () => {
    const running = await start();
    await capture(running);

    const response = await replay(running, 1, { url: 'file:///etc/passwd' });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toContain('the scheme file: is not http: or https:');
  });

  it('rejects a body that is not an event', async () => {
    const target = await app();
    const running = await start();
    await capture(running, '{"hello":"world"}');

    const response = await replay(running, 1, { url: target.url });

    expect(response.status).toBe(422);
    expect(target.requests).toHaveLength(0);
  });

  it('rejects requests from other sites', async () => {
    const target = await app();
    const running = await start();
    await capture(running);

    const noOrigin = await replay(running, 1, { url: target.url }, { origin: null });
    const otherOrigin = await replay(running, 1, { url: target.url }, { origin: 'http://attacker.example' });
    const crossSite = await replay(running, 1, { url: target.url }, { 'sec-fetch-site': 'cross-site' });

    expect(noOrigin.status).toBe(403);
    expect(otherOrigin.status).toBe(403);
    expect(crossSite.status).toBe(403);
    expect(target.requests).toHaveLength(0);
  });

  it('rejects a form post', async () => {
    const target = await app();
    const running = await start();
    await capture(running);

    const response = await replay(running, 1, { url: target.url }, { 'content-type': 'text/plain' });

    expect(response.status).toBe(415);
    expect(target.requests).toHaveLength(0);
  });

  it('rejects replay with GET', async () => {
    const running = await start();
    await capture(running);

    const response = await api(running, 'events/1/replay');

    expect(response.status).toBe(405);
  });
});

describe('inspector event stream', () => {
  function openStream(running: Running): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      get(`${running.base}api/stream?token=${TOKEN}`, resolve).on('error', reject);
    });
  }

  async function nextEvent(stream: IncomingMessage, name: string): Promise<unknown> {
    let text = '';
    for await (const chunk of stream.setEncoding('utf8')) {
      text += chunk as string;
      const match = new RegExp(`event: ${name}\\ndata: (.*)\\n\\n`).exec(text);
      if (match) {
        return JSON.parse(match[1]!);
      }
    }
    throw new Error(`the stream ended before a ${name} event:\n${text}`);
  }

  it('streams each capture', async () => {
    const running = await start();
    const stream = await openStream(running);
    cleanups.push(() => {
      stream.destroy();
    });

    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const received = nextEvent(stream, 'entry');
    await capture(running);

    expect(await received).toMatchObject({ seq: 1, event_id: 'evt_inspect_1', verdict: 'valid' });
  });

  it('requires the token', async () => {
    const running = await start();

    const response = await sendRaw(`${running.base}api/stream?token=wrong`, { method: 'GET' });

    expect(response.status).toBe(403);
  });

  it('ends streams on close', async () => {
    const running = await start();
    const stream = await openStream(running);
    const ended = once(stream, 'end');
    stream.resume();

    await running.inspector.close();
    await running.server.close();

    await ended;
    expect(stream.complete).toBe(true);
  });
});
