import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { startTestServer, type TestHandler, type TestServer } from '../helpers/server.js';

const SECRET = 'whsec_test_failures';
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(handler?: TestHandler): Promise<TestServer> {
  const server = await startTestServer(handler);
  servers.push(server);
  return server;
}

function typeOf(body: Buffer): string {
  return (JSON.parse(body.toString('utf8')) as { type: string }).type;
}

describe('send failures', () => {
  it.each([301, 302, 307, 308])('fails a %i redirect', async (status) => {
    const server = await startServer((_request, response) => {
      response.writeHead(status, { location: `${server.url}/elsewhere` }).end('moved');
    });

    const result = await runCli(['send', 'payment.succeeded', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`redirected with ${status} to ${server.url}/elsewhere`);
    expect(server.requests.map((request) => request.url)).toEqual(['/webhooks/pllay']);
  });

  it('gives the redirect location in JSON', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(302, { location: '/login' }).end();
    });

    const result = await runCli(['send', 'kyc.started', '--to', server.url, '--secret', SECRET, '--json']);
    const line = JSON.parse(result.stdout) as { ok: boolean; status: number; location: string };

    expect(result.code).toBe(1);
    expect(line.ok).toBe(false);
    expect(line.status).toBe(302);
    expect(line.location).toBe('/login');
    expect(server.requests).toHaveLength(1);
  });

  it('times out a hung delivery only', async () => {
    const server = await startServer((request, response) => {
      if (typeOf(request.body) !== 'kyc.started') {
        response.writeHead(200).end('ok');
      }
      // kyc.started gets no response at all: the connection stays open and silent.
    });

    const result = await runCli(
      ['send', '--all', '--to', server.url, '--secret', SECRET, '--timeout', '3s', '--concurrency', '2'],
      { timeoutMs: 25_000 },
    );

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`no response from ${server.url}/webhooks/pllay within 3000 ms`);
    expect(result.stdout).toContain('12 delivered, 1 failed');
    expect(server.requests).toHaveLength(13);
  });

  it('reports a timeout in JSON', async () => {
    const server = await startServer(() => undefined);

    const result = await runCli(['send', 'kyc.failed', '--to', server.url, '--secret', SECRET, '--timeout', '500ms', '--json']);
    const line = JSON.parse(result.stdout) as { ok: boolean; status: null; error: string; error_code: string; target: string };

    expect(result.code).toBe(1);
    expect(line.ok).toBe(false);
    expect(line.status).toBeNull();
    expect(line.error_code).toBe('TIMEOUT');
    expect(line.error).toContain('500 ms');
    expect(line.target).toBe(`${server.url}/webhooks/pllay`);
  });

  it('says nothing is listening', async () => {
    const server = await startTestServer();
    const url = `${server.url}/webhooks/pllay`;
    await server.close();

    const result = await runCli(['send', 'payment.created', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`nothing is listening at ${url}`);
    expect(result.stdout).toContain('0 delivered, 1 failed');
  });

  it.each([400, 401, 404, 500, 503])('fails a %i status', async (status) => {
    const server = await startServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"nope"}');
    });

    const result = await runCli(['send', 'wager.created', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`rejected with ${status}: {"error":"nope"}`);
    expect(result.stdout).toContain('0 delivered, 1 failed');
  });

  it('fails when one of many fails', async () => {
    const server = await startServer((request, response) => {
      response.writeHead(typeOf(request.body) === 'wager.cancelled' ? 500 : 204).end();
    });

    const result = await runCli(['send', '--all', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('12 delivered, 1 failed');
  });

  it('accepts any 2xx status', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(202).end();
    });

    const result = await runCli(['send', 'tournament.ended', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(0);
  });
});
