import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, cliEnv, runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'whsec_test_output';
const ESCAPE = '\u001b[';
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Environment in which only the given colour variables are set. */
function colourEnv(variables: { NO_COLOR?: string; FORCE_COLOR?: string }): Record<string, string | undefined> {
  return { NO_COLOR: undefined, FORCE_COLOR: undefined, ...variables };
}

async function startServer(): Promise<TestServer> {
  const server = await startTestServer();
  servers.push(server);
  return server;
}

describe('colour', () => {
  it('is off when piped', async () => {
    const result = await runCli(['events'], { env: colourEnv({}) });

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESCAPE);
  });

  it('is on with FORCE_COLOR=1', async () => {
    const result = await runCli(['events'], { env: colourEnv({ FORCE_COLOR: '1' }) });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(ESCAPE);
  });

  it('is off with NO_COLOR', async () => {
    const result = await runCli(['events'], { env: colourEnv({ NO_COLOR: '1', FORCE_COLOR: '1' }) });

    expect(result.stdout).not.toContain(ESCAPE);
  });

  it.each([
    ['before the command', ['--no-color', 'events']],
    ['after the command', ['events', '--no-color']],
  ])('is off with --no-color %s', async (_where, args) => {
    const result = await runCli(args, { env: colourEnv({ FORCE_COLOR: '1' }) });

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESCAPE);
  });

  it('follows the flags in send', async () => {
    const server = await startServer();
    const args = ['send', 'kyc.started', '--to', server.url, '--secret', SECRET];

    const forced = await runCli(args, { env: colourEnv({ FORCE_COLOR: '1' }) });
    const plain = await runCli([...args, '--no-color'], { env: colourEnv({ FORCE_COLOR: '1' }) });
    const noColor = await runCli(args, { env: colourEnv({ NO_COLOR: '1' }) });

    expect(forced.stdout).toContain(ESCAPE);
    expect(plain.stdout).not.toContain(ESCAPE);
    expect(noColor.stdout).not.toContain(ESCAPE);
  });

  it('follows the flags in generate', async () => {
    const args = ['generate', 'kyc.started', '--secret', SECRET];

    const forced = await runCli(args, { env: colourEnv({ FORCE_COLOR: '1' }) });
    const plain = await runCli([...args, '--no-color'], { env: colourEnv({ FORCE_COLOR: '1' }) });

    expect(forced.stdout).toContain(ESCAPE);
    expect(plain.stdout).not.toContain(ESCAPE);
  });

  it('never colours JSON', async () => {
    const result = await runCli(['events', '--json'], { env: colourEnv({ FORCE_COLOR: '1' }) });

    expect(result.stdout).not.toContain(ESCAPE);
  });
});

describe('closed stdout', () => {
  it.each(['events', 'events --json', '--help'])('ends %s quietly', async (command) => {
    const args = command.split(' ');
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away before the command writes anything, as `| head -1` can.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

    const [code] = (await once(child, 'close')) as [number | null];

    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
