import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'whsec_test_usage';
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(): Promise<TestServer> {
  const server = await startTestServer();
  servers.push(server);
  return server;
}

describe('send usage errors', () => {
  it('requires a secret', async () => {
    const server = await startServer();

    const result = await runCli(['send', 'payment.succeeded', '--to', server.url]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no signing secret');
    expect(result.stderr).toContain('--secret');
    expect(result.stderr).toContain('PLLAY_WEBHOOK_SECRET');
    expect(server.requests).toHaveLength(0);
  });

  it('treats an empty secret as none', async () => {
    const server = await startServer();

    const flag = await runCli(['send', 'payment.succeeded', '--to', server.url, '--secret', '']);
    const env = await runCli(['send', 'payment.succeeded', '--to', server.url], { env: { PLLAY_WEBHOOK_SECRET: '' } });

    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('E_NO_SECRET');
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('E_NO_SECRET');
    expect(server.requests).toHaveLength(0);
  });

  it('takes the secret from the environment', async () => {
    const server = await startServer();

    const result = await runCli(['send', 'payment.succeeded', '--to', server.url], {
      env: { PLLAY_WEBHOOK_SECRET: SECRET },
    });

    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it('never prints the secret', async () => {
    const server = await startServer();

    const result = await runCli(['send', '--all', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stderr).not.toContain(SECRET);
  });

  it('suggests the nearest unknown type', async () => {
    const server = await startServer();

    const result = await runCli(['send', 'payment.succeded', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown event type "payment.succeded"');
    expect(result.stderr).toContain('did you mean "payment.succeeded"?');
    expect(result.stderr).toContain('pllay-hooks events');
    expect(server.requests).toHaveLength(0);
  });

  it('rejects any unknown type among several', async () => {
    const server = await startServer();

    const result = await runCli(['send', 'kyc.started', 'tournament.finished', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did you mean "tournament.ended"?');
    expect(server.requests).toHaveLength(0);
  });

  it('requires a type or --all', async () => {
    const server = await startServer();

    const result = await runCli(['send', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--all');
  });

  it('requires a target', async () => {
    const result = await runCli(['send', 'kyc.started', '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--to');
  });

  it('rejects a bad target scheme', async () => {
    const server = await startServer();
    const target = `ftp://127.0.0.1:${server.port}`;

    const result = await runCli(['send', 'kyc.started', '--to', target, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid target "${target}"`);
  });

  it.each([
    ['--count', '0'],
    ['--count', '0x10'],
    ['--concurrency', 'many'],
    ['--timeout', 'soon'],
    ['--timeout', '0'],
    ['--timeout', '1000h'],
    ['--created', '5'],
    ['--created', '1761958815000'],
    ['--created', '0x10'],
  ])('rejects %s %s', async (flag, value) => {
    const server = await startServer();

    const result = await runCli(['send', 'kyc.started', '--to', server.url, '--secret', SECRET, flag, value]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(value);
    expect(server.requests).toHaveLength(0);
  });

  it('rejects --id with many events', async () => {
    const server = await startServer();

    const result = await runCli(['send', '--all', '--id', 'evt_1', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--id "evt_1"');
    expect(result.stderr).toContain('[E_ID_WITH_MANY]');
    expect(result.stderr).toContain('leave out --id');
    expect(server.requests).toHaveLength(0);
  });

  it('rejects an empty --id', async () => {
    const server = await startServer();

    const result = await runCli(['send', 'kyc.started', '--id', '', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '--id <id>' argument '' is invalid");
    expect(server.requests).toHaveLength(0);
  });

  it('rejects an inexact --set number', async () => {
    const server = await startServer();
    const set = 'data.object.b=12345678901234567890';

    const result = await runCli(['send', 'kyc.started', '--set', set, '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[E_SET_NUMBER]');
    expect(result.stderr).toContain('12345678901234567000');
    expect(server.requests).toHaveLength(0);
  });

  it('rejects a header value with a line break', async () => {
    const server = await startServer();

    const result = await runCli(['send', 'kyc.started', '--header', 'x-a: line1\nline2', '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --header "x-a: line1\\nline2"');
    expect(result.stderr).toContain('[E_HEADER_VALUE]');
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [['--header', 'pllay-signature: abc'], 'pllay-signature'],
    [['--header', 'PLLAY-Signature: abc'], 'pllay-signature'],
    [['--signature-header', 'X-Sig', '--header', 'x-sig: abc'], 'x-sig'],
  ])('rejects the signature header in %j', async (flags, name) => {
    const server = await startServer();

    const result = await runCli(['send', 'kyc.started', ...flags, '--to', server.url, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${name} carries the signature`);
    expect(result.stderr).toContain('[E_HEADER_RESERVED]');
    expect(server.requests).toHaveLength(0);
  });

  it('sends pllay-signature once the signature moves', async () => {
    const server = await startServer();

    const result = await runCli([
      'send',
      'kyc.started',
      '--signature-header',
      'x-sig',
      '--header',
      'pllay-signature: abc',
      '--to',
      server.url,
      '--secret',
      SECRET,
    ]);

    expect(result.code).toBe(0);
    expect(server.requests[0]!.headers['pllay-signature']).toBe('abc');
    expect(server.requests[0]!.headers['x-sig']).toMatch(/^[0-9a-f]{64}$/);
  });
});
