import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { verify } from '../../src/signature/index.js';
import { BIN, cliEnv, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readNdjson, tempProject } from '../helpers/temp.js';

const SECRET = 'whsec_test_config';
const folders: Array<{ remove(): void }> = [];
const servers: TestServer[] = [];
const running: RunningCli[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

function project(files: Record<string, string>): string {
  const folder = tempProject(files);
  folders.push(folder);
  return folder.path;
}

async function server(): Promise<TestServer> {
  const started = await startTestServer();
  servers.push(started);
  return started;
}

interface ConfigJson {
  config_file: string | null;
  profile: string | null;
  profiles: string[];
  settings: Record<string, { value: unknown; source: string; origin: string }>;
}

async function configJson(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<ConfigJson> {
  const result = await runCli(['--json', 'config', ...args], { cwd, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ConfigJson;
}

describe('config search places', () => {
  const places: Array<[string, string]> = [
    ['package.json', JSON.stringify({ name: 'app', 'pllay-hooks': { target: 'localhost:3001' } })],
    ['.pllay-hooksrc', 'target: localhost:3001\n'],
    ['.pllay-hooksrc.json', '{ "target": "localhost:3001" }'],
    ['.pllay-hooksrc.yaml', 'target: localhost:3001\n'],
    ['.pllay-hooksrc.yml', 'target: localhost:3001\n'],
    ['.pllay-hooksrc.js', 'module.exports = { target: "localhost:3001" };\n'],
    ['.pllay-hooksrc.mjs', 'export default { target: "localhost:3001" };\n'],
    ['.pllay-hooksrc.cjs', 'module.exports = { target: "localhost:3001" };\n'],
    ['.config/pllay-hooksrc.json', '{ "target": "localhost:3001" }'],
    ['pllay-hooks.config.mjs', 'export default { target: "localhost:3001" };\n'],
    ['pllay-hooks.config.cjs', 'module.exports = { target: "localhost:3001" };\n'],
    ['pllay-hooks.config.ts', 'const config: { target: string } = { target: "localhost:3001" };\nexport default config;\n'],
    ['.config/pllay-hooks.config.mjs', 'export default { target: "localhost:3001" };\n'],
  ];

  for (const [place, text] of places) {
    it(`finds ${place}`, async () => {
      const cwd = project({ [place]: text });

      const config = await configJson(cwd);

      expect(config.config_file).toBe(join(cwd, place));
      expect(config.settings.target).toEqual({ value: 'localhost:3001', source: 'file', origin: `target in ${join(cwd, place)}` });
    });
  }

  it('explains a .ts file without typescript', () => {
    const cwd = project({ 'pllay-hooks.config.ts': 'export default { target: "localhost:3001" };\n' });
    const hooks = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url));

    const run = spawnSync(process.execPath, ['--import', hooks, BIN, 'config'], {
      cwd,
      env: cliEnv({ HIDE_PACKAGE: 'typescript' }),
      encoding: 'utf8',
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`error: cannot load ${join(cwd, 'pllay-hooks.config.ts')}: a .ts config file needs the typescript package`);
    expect(run.stderr).toContain('npm install --save-dev typescript');
  });

  it('searches parent folders', async () => {
    const cwd = project({ '.pllay-hooksrc.json': '{ "target": "localhost:3002" }', 'app/src/.keep': '' });

    const config = await configJson(join(cwd, 'app', 'src'));

    expect(config.config_file).toBe(join(cwd, '.pllay-hooksrc.json'));
  });

  it('prefers the nearest file', async () => {
    const cwd = project({ '.pllay-hooksrc.json': '{ "target": "localhost:3002" }', 'app/.pllay-hooksrc.json': '{ "target": "localhost:3003" }' });

    const config = await configJson(join(cwd, 'app'));

    expect(config.settings.target?.value).toBe('localhost:3003');
  });

  it('loads the file named by --config', async () => {
    const cwd = project({ '.pllay-hooksrc.json': '{ "target": "localhost:3002" }', 'ci/hooks.yaml': 'target: localhost:3004\n' });

    const byFlag = await configJson(cwd, ['--config', 'ci/hooks.yaml']);
    const byEnv = await configJson(cwd, [], { PLLAY_HOOKS_CONFIG: 'ci/hooks.yaml' });

    expect(byFlag.settings.target?.value).toBe('localhost:3004');
    expect(byEnv.settings.target?.value).toBe('localhost:3004');
  });

  it('rejects a missing --config file', async () => {
    const cwd = project({});

    const result = await runCli(['config', '--config', 'nowhere.json'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: config file not found: ${join(cwd, 'nowhere.json')}`);
  });

  it('rejects a file that does not parse', async () => {
    const cwd = project({ '.pllay-hooksrc.json': '{ "target": ' });

    const result = await runCli(['config'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: cannot read the config file ${join(cwd, '.pllay-hooksrc.json')}`);
  });
});

describe('invalid config', () => {
  it('exits 2 naming file, key and value', async () => {
    const cwd = project({ '.pllay-hooksrc.yml': 'listen:\n  port: 99999\n' });

    const result = await runCli(['send', 'payment.succeeded', '--to', 'localhost:1', '--secret', SECRET], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: invalid config in ${join(cwd, '.pllay-hooksrc.yml')}:`);
    expect(result.stderr).toContain('listen.port is 99999: expected a port from 0 to 65535');
    expect(result.stdout).toBe('');
  });
});

describe('send with config', () => {
  it('delivers with no flags', async () => {
    const target = await server();
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ target: target.url, secret: SECRET }) });

    const result = await runCli(['send', 'payment.succeeded'], { cwd });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(target.requests).toHaveLength(1);
    const request = target.requests[0]!;
    expect(request.url).toBe('/webhooks/pllay');
    expect(verify(request.body, request.headers['pllay-signature'] as string, SECRET).verdict).toBe('valid');
  });

  it('reads package.json and secretEnv', async () => {
    const target = await server();
    const settings = { target: `${target.url}/hooks`, secretEnv: 'APP_PLLAY_SECRET' };
    const cwd = project({ 'package.json': JSON.stringify({ name: 'app', 'pllay-hooks': settings }) });

    const result = await runCli(['send', 'kyc.started'], { cwd, env: { APP_PLLAY_SECRET: SECRET } });

    expect(result.code).toBe(0);
    expect(target.requests[0]!.url).toBe('/hooks');
    expect(verify(target.requests[0]!.body, target.requests[0]!.headers['pllay-signature'] as string, SECRET).verdict).toBe('valid');
  });

  it('lets flags win over environment and file', async () => {
    const fromFile = await server();
    const fromEnv = await server();
    const fromFlag = await server();
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ target: fromFile.url, secret: SECRET }) });

    await runCli(['send', 'kyc.started'], { cwd, env: { PLLAY_HOOKS_TARGET: fromEnv.url } });
    await runCli(['send', 'kyc.started', '--to', fromFlag.url], { cwd, env: { PLLAY_HOOKS_TARGET: fromEnv.url } });

    expect(fromFile.requests).toHaveLength(0);
    expect(fromEnv.requests).toHaveLength(1);
    expect(fromFlag.requests).toHaveLength(1);
  });

  it('applies a profile', async () => {
    const base = await server();
    const staging = await server();
    const cwd = project({
      '.pllay-hooksrc.json': JSON.stringify({ target: base.url, secret: SECRET, profiles: { staging: { target: staging.url } } }),
    });

    const result = await runCli(['send', 'kyc.started', '--profile', 'staging'], { cwd });

    expect(result.code).toBe(0);
    expect(base.requests).toHaveLength(0);
    expect(staging.requests).toHaveLength(1);
  });

  it('sends the configured signature format and headers', async () => {
    const target = await server();
    const config = {
      target: target.url,
      secret: SECRET,
      signature: { header: 'X-PLLAY-Signature', prefix: 'sha256=' },
      headers: { 'x-request-source': 'config' },
    };
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify(config) });

    const result = await runCli(['send', 'kyc.started', '--header', 'x-extra: flag'], { cwd });

    expect(result.code).toBe(0);
    const { headers, body } = target.requests[0]!;
    expect(headers['pllay-signature']).toBeUndefined();
    expect(headers['x-pllay-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verify(body, headers['x-pllay-signature'] as string, SECRET).verdict).toBe('valid');
    expect(headers['x-request-source']).toBe('config');
    expect(headers['x-extra']).toBe('flag');
  });

  it('applies per-event overrides before flags', async () => {
    const events = { 'payment.succeeded': { data: { amount: 4242, currency: 'EUR' } } };
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ secret: SECRET, events }) });

    const result = await runCli(['--json', 'generate', 'payment.succeeded', '--set', 'data.object.currency=GBP'], { cwd });

    expect(result.code).toBe(0);
    const object = JSON.parse(JSON.parse(result.stdout).body).data.object;
    expect(object.amount).toBe(4242);
    expect(object.currency).toBe('GBP');
  });
});

describe('listen with config', () => {
  it('takes port, log and secrets from the file', async () => {
    const cwd = project({
      '.pllay-hooksrc.json': JSON.stringify({ secret: ['whsec_new', SECRET], listen: { port: 0, log: 'logs/capture.ndjson' } }),
    });
    const listen = startCli(['listen'], { cwd });
    running.push(listen);
    const [, url] = await listen.waitForLine(/Listening on (\S+)/);

    const sent = await runCli(['send', 'kyc.started', '--to', url!, '--secret', SECRET]);
    await listen.waitForLine(/kyc\.started .*valid/);

    expect(sent.code).toBe(0);
    const records = readNdjson(join(cwd, 'logs', 'capture.ndjson'));
    expect(records).toHaveLength(1);
    expect(records[0]!.signature).toBe('valid');
    expect(records[0]!.secret_fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(listen.stdout()).toContain(`(secret ${String(records[0]!.secret_fingerprint)})`);
  });

  it('names the secretEnv variable when no secret is set', async () => {
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ secretEnv: 'MY_APP_SECRET', listen: { port: 0 } }) });
    const listen = startCli(['listen'], { cwd });
    running.push(listen);

    await listen.waitForLine(/Listening on/);
    await vi.waitFor(() => expect(listen.stderr()).toContain('no secret'));

    expect(listen.stderr()).toContain('set MY_APP_SECRET');
  });

  it('serves the inspector the file turns on', async () => {
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ secret: SECRET, listen: { port: 0, ui: true } }) });
    const listen = startCli(['listen'], { cwd });
    running.push(listen);

    const [, listenUrl] = await listen.waitForLine(/Listening on (http:\/\/[^/]+)/);
    const [, inspectorUrl] = await listen.waitForLine(/Inspector on (\S+)/);
    const page = await fetch(inspectorUrl!);

    expect(inspectorUrl!.startsWith(`${listenUrl!}/`)).toBe(true);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('takes the inspector port from the file', async () => {
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ secret: SECRET, listen: { port: 0, uiPort: 0 } }) });
    const listen = startCli(['listen'], { cwd });
    running.push(listen);

    const [, listenUrl] = await listen.waitForLine(/Listening on (http:\/\/[^/]+)/);
    const [, inspectorUrl] = await listen.waitForLine(/Inspector on (\S+)/);

    expect(inspectorUrl!.startsWith(`${listenUrl!}/`)).toBe(false);
    expect((await fetch(inspectorUrl!)).status).toBe(200);
  });

  it('lets --no-ui win over the file', async () => {
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ secret: SECRET, listen: { port: 0, ui: true, uiPort: 0 } }) });
    const listen = startCli(['listen', '--no-ui'], { cwd });
    running.push(listen);

    const [, listenUrl] = await listen.waitForLine(/Listening on (http:\/\/[^/]+)/);
    const page = await fetch(`${listenUrl!}/__pllay/`);

    expect(page.status).not.toBe(200);
    expect(listen.stdout()).not.toContain('Inspector on');
  });
});

describe('replay with config', () => {
  it('takes target, secret and backoff from the file', async () => {
    const app = await startTestServer((_request, response, index) => {
      response.writeHead(index === 0 ? 503 : 200).end();
    });
    servers.push(app);
    const event = '{"id":"evt_config_replay","type":"kyc.started","created":1761958815,"data":{"object":{}}}';
    const cwd = project({
      'events.ndjson': `${event}\n`,
      '.pllay-hooksrc.json': JSON.stringify({
        target: app.url,
        secret: SECRET,
        replay: { maxAttempts: 2, backoff: 'constant', initialDelay: '50ms' },
      }),
    });

    const result = await runCli(['replay', 'events.ndjson'], { cwd });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(app.requests).toHaveLength(2);
    expect(app.requests[1]!.url).toBe('/webhooks/pllay');
    expect(app.requests[1]!.body.toString()).toBe(event);
    expect(verify(app.requests[1]!.body, app.requests[1]!.headers['pllay-signature'] as string, [SECRET]).verdict).toBe('valid');
  });

  it('lets --max-attempts win over the file', async () => {
    const app = await startTestServer((_request, response) => {
      response.writeHead(503).end();
    });
    servers.push(app);
    const cwd = project({
      'events.ndjson': '{"id":"evt_config_flag","type":"kyc.started","created":1761958815,"data":{"object":{}}}\n',
      '.pllay-hooksrc.json': JSON.stringify({ target: app.url, secret: SECRET, replay: { maxAttempts: 4, initialDelay: '10ms' } }),
    });

    const result = await runCli(['replay', 'events.ndjson', '--max-attempts', '1'], { cwd });

    expect(result.code).toBe(1);
    expect(app.requests).toHaveLength(1);
  });
});

describe('custom signature format', () => {
  it('is sent by send and recognised by listen', async () => {
    const signature = { header: 'x-hook-signature', prefix: 'v1=' };
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ secret: SECRET, signature, listen: { port: 0, log: 'capture.ndjson' } }) });
    const listen = startCli(['listen'], { cwd });
    running.push(listen);
    const [, url] = await listen.waitForLine(/Listening on (\S+)/);

    const sent = await runCli(['send', 'wager.created', '--to', url!], { cwd });
    await listen.waitForLine(/wager\.created/);

    expect(sent.code).toBe(0);
    const [record] = readNdjson(join(cwd, 'capture.ndjson'));
    expect(record!.signature).toBe('valid');
    expect(record!.signature_header).toBe('x-hook-signature');
    expect(record!.signature_form).toBe('prefixed');
    expect((record!.headers as Record<string, string>)['x-hook-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
  });
});

describe('config command', () => {
  it('shows values, sources and a masked secret', async () => {
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ target: 'localhost:3005', secret: SECRET, listen: { port: 4000 } }) });

    const result = await runCli(['config'], { cwd, env: { PLLAY_HOOKS_PORT: '4100' } });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Config file  ${join(cwd, '.pllay-hooksrc.json')}`);
    expect(result.stdout).toMatch(/^target +localhost:3005 +file: target in /m);
    expect(result.stdout).toMatch(/^listen\.port +4100 +env: PLLAY_HOOKS_PORT$/m);
    expect(result.stdout).toMatch(/^listen\.host +127\.0\.0\.1 +default$/m);
    expect(result.stdout).toMatch(/^secrets +whsec_\*{8} \([0-9a-f]{8}\) +file: secret in /m);
    expect(result.stdout).not.toContain(SECRET);
  });

  it('masks the secret in JSON', async () => {
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ secret: SECRET }) });

    const config = await configJson(cwd);

    expect(config.settings.secrets?.value).toEqual([expect.stringMatching(/^whsec_\*{8} \([0-9a-f]{8}\)$/)]);
    expect(JSON.stringify(config)).not.toContain(SECRET);
  });

  it('lists the profile names', async () => {
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ profiles: { staging: {}, ci: { timeout: 500 } } }) });

    const table = await runCli(['config'], { cwd });
    const names = await runCli(['config', '--profiles'], { cwd });
    const json = await runCli(['--json', 'config', '--profiles'], { cwd });

    expect(table.stdout).toMatch(/^Profiles +staging, ci$/m);
    expect(names.stdout).toBe('staging\nci\n');
    expect(JSON.parse(json.stdout)).toEqual({ config_file: join(cwd, '.pllay-hooksrc.json'), profiles: ['staging', 'ci'] });
    expect((await configJson(cwd)).profiles).toEqual(['staging', 'ci']);
  });

  it('lists no profiles without a file', async () => {
    const cwd = project({});

    const result = await runCli(['config', '--profiles'], { cwd });

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
  });
});

describe('secret in a git work tree', () => {
  function gitProject(files: Record<string, string>): string {
    const cwd = project(files);
    execFileSync('git', ['init', '--quiet', cwd]);
    return cwd;
  }

  it('warns when git would commit it', async () => {
    const cwd = gitProject({ '.pllay-hooksrc.json': JSON.stringify({ secret: SECRET }) });

    const result = await runCli(['config'], { cwd });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: .pllay-hooksrc.json contains a secret and git does not ignore it');
    expect(result.stderr).toContain('set PLLAY_WEBHOOK_SECRET instead (export PLLAY_WEBHOOK_SECRET=...)');
    expect(result.stderr).not.toContain(SECRET);
  });

  it('stays quiet for an ignored file', async () => {
    const cwd = gitProject({ '.pllay-hooksrc.json': JSON.stringify({ secret: SECRET }), '.gitignore': '.pllay-hooksrc.json\n' });

    const result = await runCli(['config'], { cwd });

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('stays quiet outside a work tree', async () => {
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ secret: SECRET }) });

    const result = await runCli(['config'], { cwd });

    expect(result.stderr).toBe('');
  });
});
