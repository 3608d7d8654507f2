import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'whsec_test_localhost';
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('send to localhost', () => {
  it.each(['127.0.0.1', '::1'])('reaches a server on %s', async (host) => {
    const server = await startTestServer(undefined, host);
    servers.push(server);

    const result = await runCli(['send', 'payment.succeeded', '--to', `localhost:${server.port}`, '--secret', SECRET]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.url).toBe('/webhooks/pllay');
    expect(result.stdout).toContain(`http://localhost:${server.port}/webhooks/pllay`);
  });

  it('reaches ::1 through a full URL', async () => {
    const server = await startTestServer(undefined, '::1');
    servers.push(server);

    const result = await runCli(['send', 'kyc.started', '--to', `http://localhost:${server.port}/hooks`, '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(server.requests.map((request) => request.url)).toEqual(['/hooks']);
  });

  it('reaches ::1 through a bare port', async () => {
    const server = await startTestServer(undefined, '::1');
    servers.push(server);

    const result = await runCli(['send', 'kyc.started', '--to', String(server.port), '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(1);
  });
});
