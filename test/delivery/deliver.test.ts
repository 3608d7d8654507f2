import { afterEach, describe, expect, it } from 'vitest';

import { deliver, RESPONSE_SNIPPET_BYTES } from '../../src/delivery/deliver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const server = await startTestServer(...args);
  servers.push(server);
  return server;
}

/** A server that reads each request and never responds. */
function silentServer(): Promise<TestServer> {
  return start(() => undefined);
}

describe('deliver', () => {
  it('returns the status and the answer', async () => {
    const server = await start();

    const attempt = await deliver({ url: new URL(server.url), body: '{}', headers: {} });

    expect(attempt.ok).toBe(true);
    expect(attempt.status).toBe(200);
    expect(attempt.snippet).toBe('{"ok":true}');
  });

  it('cuts a long answer to the snippet size', async () => {
    const server = await start((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('x'.repeat(10_000));
    });

    const attempt = await deliver({ url: new URL(server.url), body: '{}', headers: {} });

    expect(attempt.status).toBe(500);
    expect(attempt.snippet).toBe('x'.repeat(RESPONSE_SNIPPET_BYTES));
  });

  it('reads a chunked answer', async () => {
    const server = await start((_request, response) => {
      response.write('{"part":');
      response.end('1}');
    });

    const attempt = await deliver({ url: new URL(server.url), body: '{}', headers: {} });

    expect(attempt.snippet).toBe('{"part":1}');
  });

  it('times out a silent server', async () => {
    const server = await silentServer();

    const attempt = await deliver({ url: new URL(server.url), body: '{}', headers: {}, timeoutMs: 200 });

    expect(attempt.ok).toBe(false);
    expect(attempt.error?.code).toBe('TIMEOUT');
    expect(attempt.error?.message).toContain('within 200 ms');
  });

  it('stops when the caller aborts', async () => {
    const server = await silentServer();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const attempt = await deliver({ url: new URL(server.url), body: '{}', headers: {}, signal: controller.signal });

    expect(attempt.error?.code).toBe('ABORTED');
    expect(attempt.error?.message).toContain('was cancelled');
  });

  it('sends nothing when already aborted', async () => {
    const server = await start();

    const attempt = await deliver({ url: new URL(server.url), body: '{}', headers: {}, signal: AbortSignal.abort() });

    expect(attempt.error?.code).toBe('ABORTED');
    expect(server.requests).toHaveLength(0);
  });
});
