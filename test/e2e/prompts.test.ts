import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { verify } from '../../src/signature/index.js';
import { runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { startTerminal, type Terminal } from '../helpers/terminal.js';

// Each test waits on a real terminal several times, which takes long on a busy machine.
vi.setConfig({ testTimeout: 90_000 });

const SECRET = 'whsec_test_prompts';
const folders: Array<{ remove(): void }> = [];
const terminals: Terminal[] = [];
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(terminals.splice(0).map((terminal) => terminal.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

function folder(): string {
  const created = tempDir();
  folders.push(created);
  return created.path;
}

async function terminal(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Terminal> {
  const started = await startTerminal(args, { cwd, env });
  terminals.push(started);
  return started;
}

describe('event type prompt', () => {
  it('lets send pick a type', async () => {
    const target = await startTestServer();
    servers.push(target);
    const cwd = folder();
    writeFileSync(join(cwd, '.pllay-hooksrc.json'), JSON.stringify({ target: target.url, secret: SECRET }));

    const screen = await terminal(['send'], cwd);
    const list = await screen.waitFor(/Which event type\?[\s\S]*tournament\.cancelled/);
    await screen.press('Down', 'Down', 'Down', 'Down', 'Enter');

    expect(list).toMatch(/── KYC\n❯ kyc\.started\n {2}kyc\.completed/);
    expect(list).toMatch(/── Payment\n {2}payment\.created/);
    expect(await screen.exitCode()).toBe(0);
    expect(target.requests).toHaveLength(1);
    const request = target.requests[0]!;
    expect(JSON.parse(request.body.toString()).type).toBe('payment.succeeded');
    expect(verify(request.body, request.headers['pllay-signature'] as string, SECRET).verdict).toBe('valid');
  });

  it('lets generate pick a type', async () => {
    const screen = await terminal(['generate', '--secret', SECRET], folder());
    await screen.waitFor(/Which event type\?/);
    await screen.press('Down', 'Down', 'Enter');

    expect(await screen.exitCode()).toBe(0);
    expect(await screen.screen()).toContain('"type":"kyc.failed"');
  });

  it('exits 130 on Ctrl-C', async () => {
    const screen = await terminal(['generate', '--secret', SECRET], folder());
    await screen.waitFor(/Which event type\?/);
    await screen.press('C-c');

    expect(await screen.exitCode()).toBe(130);
  });

  it('never prompts in CI', async () => {
    const screen = await terminal(['generate', '--secret', SECRET], folder(), { CI: 'true' });

    expect(await screen.exitCode()).toBe(2);
    expect(await screen.screen()).toContain('error: no event type given');
  });

  it('lists the types without a terminal', async () => {
    const result = await runCli(['send', '--to', 'localhost:1', '--secret', SECRET], { env: { CI: undefined } });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: no event type given');
    expect(result.stderr).toMatch(/Payment +payment\.created, payment\.succeeded, payment\.failed, payment\.refunded/);
  });
});

describe('init prompts', () => {
  it('writes the answers', async () => {
    const cwd = folder();
    const screen = await terminal(['init'], cwd);

    await screen.waitFor(/Where does your app receive webhooks\?/);
    await screen.type('localhost:4000');
    await screen.press('Enter');
    await screen.waitFor(/Where is the signing secret\?/);
    await screen.press('Down', 'Enter');
    await screen.waitFor(/Name of the environment variable\?/);
    await screen.press('C-u');
    await screen.type('APP_PLLAY_SECRET');
    await screen.press('Enter');
    await screen.waitFor(/Port for pllay-hooks listen\?/);
    await screen.press('C-u');
    await screen.type('8000');
    await screen.press('Enter');
    await screen.waitFor(/Capture log of pllay-hooks listen\?/);
    await screen.press('Enter');
    const review = await screen.waitFor(/Write \.pllay-hooksrc\.json\?/);
    await screen.press('Enter');

    expect(review).toContain('"secretEnv": "APP_PLLAY_SECRET"');
    expect(await screen.exitCode()).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, '.pllay-hooksrc.json'), 'utf8'))).toEqual({
      target: 'localhost:4000',
      secretEnv: 'APP_PLLAY_SECRET',
      listen: { port: 8000, log: '.pllay-hooks/capture.ndjson' },
    });
  });

  it('asks before overwriting', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, '.pllay-hooksrc.json'), '{ "target": "localhost:3000" }\n');
    const screen = await terminal(['init'], cwd);

    await screen.waitFor(/Overwrite \.pllay-hooksrc\.json\? \(y\/N\)/);
    await screen.press('Enter');

    expect(await screen.exitCode()).toBe(0);
    expect(await screen.screen()).toContain('Left .pllay-hooksrc.json unchanged.');
    expect(readFileSync(join(cwd, '.pllay-hooksrc.json'), 'utf8')).toBe('{ "target": "localhost:3000" }\n');
  });
});

describe('init without prompts', () => {
  it('needs --yes without a terminal', async () => {
    const cwd = folder();

    const result = await runCli(['init'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pass --yes to take the defaults');
  });

  it('writes defaults and flags with --yes', async () => {
    const cwd = folder();

    const result = await runCli(['init', '--yes', '--to', 'localhost:4000', '--file', '.pllay-hooksrc.yaml'], { cwd });
    const config = await runCli(['--json', 'config'], { cwd });

    expect(result.code).toBe(0);
    expect(readFileSync(join(cwd, '.pllay-hooksrc.yaml'), 'utf8')).toBe(
      'target: localhost:4000\nlisten:\n  port: 7575\n  log: .pllay-hooks/capture.ndjson\n',
    );
    expect(JSON.parse(config.stdout).settings.target.value).toBe('localhost:4000');
  });

  it('keeps an existing file under --yes', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, '.pllay-hooksrc.json'), '{}\n');

    const kept = await runCli(['init', '--yes'], { cwd });
    const forced = await runCli(['init', '--yes', '--force'], { cwd });

    expect(kept.code).toBe(2);
    expect(kept.stderr).toContain('error: .pllay-hooksrc.json exists already; init does not overwrite it');
    expect(forced.code).toBe(0);
    expect(readFileSync(join(cwd, '.pllay-hooksrc.json'), 'utf8')).toContain('"target"');
  });

  it('adds a key to package.json', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'package.json'), '{\r\n    "name": "app",\r\n    "private": true\r\n}\r\n');

    const result = await runCli(['init', '--yes', '--to', 'localhost:4000', '--file', 'package.json'], { cwd });
    const config = await runCli(['--json', 'config'], { cwd });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('wrote the "pllay-hooks" key of package.json');
    expect(readFileSync(join(cwd, 'package.json'), 'utf8')).toBe(
      [
        '{',
        '    "name": "app",',
        '    "private": true,',
        '    "pllay-hooks": {',
        '        "target": "localhost:4000",',
        '        "listen": {',
        '            "port": 7575,',
        '            "log": ".pllay-hooks/capture.ndjson"',
        '        }',
        '    }',
        '}',
        '',
      ].join('\r\n'),
    );
    expect(JSON.parse(config.stdout).config_file).toBe(join(cwd, 'package.json'));
  });

  it('keeps the package.json key', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ name: 'app', 'pllay-hooks': { target: 'localhost:3001' } }));

    const kept = await runCli(['init', '--yes', '--file', 'package.json'], { cwd });
    const forced = await runCli(['init', '--yes', '--force', '--file', 'package.json', '--port', '4100'], { cwd });

    expect(kept.code).toBe(2);
    expect(kept.stderr).toContain('error: the "pllay-hooks" key of package.json exists already; init does not overwrite it');
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))).toEqual({
      name: 'app',
      'pllay-hooks': { target: 'http://localhost:3000/webhooks/pllay', listen: { port: 4100, log: '.pllay-hooks/capture.ndjson' } },
    });
  });

  it('rejects a missing package.json', async () => {
    const cwd = folder();

    const result = await runCli(['init', '--yes', '--file', 'package.json'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[E_PACKAGE_JSON_NOT_FOUND]');
    expect(result.stderr).toContain('run npm init first');
  });

  it('rejects an unreadable package.json', async () => {
    const cwd = folder();
    mkdirSync(join(cwd, 'package.json'));

    const result = await runCli(['init', '--yes', '--file', 'package.json'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read package.json: it is a folder, not a file');
    expect(result.stderr).toContain('[E_FILE_UNREADABLE]');
  });

  it('rejects an invalid package.json', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'package.json'), '{ "name": ');

    const broken = await runCli(['init', '--yes', '--file', 'package.json'], { cwd });
    writeFileSync(join(cwd, 'package.json'), '["app"]');
    const array = await runCli(['init', '--yes', '--file', 'package.json'], { cwd });

    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('error: cannot add the config to package.json: ');
    expect(broken.stderr).toContain('[E_PACKAGE_JSON_INVALID]');
    expect(array.code).toBe(2);
    expect(array.stderr).toContain('it does not contain a JSON object');
    expect(readFileSync(join(cwd, 'package.json'), 'utf8')).toBe('["app"]');
  });
});
