import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { tempProject } from '../helpers/temp.js';

const BOM = '\uFEFF';
const folders: Array<{ remove(): void }> = [];

afterEach(() => {
  folders.splice(0).forEach((folder) => folder.remove());
});

function project(files: Record<string, string>): string {
  const folder = tempProject(files);
  folders.push(folder);
  return folder.path;
}

async function configTarget(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<unknown> {
  const result = await runCli(['--json', 'config', ...args], { cwd, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const config = JSON.parse(result.stdout) as { settings: Record<string, { value: unknown }> };
  return config.settings.target?.value;
}

describe('broken package.json', () => {
  const BROKEN = '{"name":"x",}';

  it('is reported when searched', async () => {
    const cwd = project({ 'package.json': BROKEN });

    const result = await runCli(['config'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: cannot read the config file ${join(cwd, 'package.json')}:1:13`);
    expect(result.stderr).toContain('[E_CONFIG_UNREADABLE]');
    expect(result.stderr).not.toContain('internal error');
  });

  it('is not read with --config', async () => {
    const cwd = project({ 'package.json': BROKEN, 'my.json': '{ "target": "localhost:3101" }' });

    expect(await configTarget(cwd, ['--config', 'my.json'])).toBe('localhost:3101');
  });

  it('is not read with PLLAY_HOOKS_CONFIG', async () => {
    const cwd = project({ 'package.json': BROKEN, 'my.json': '{ "target": "localhost:3102" }' });

    expect(await configTarget(cwd, [], { PLLAY_HOOKS_CONFIG: 'my.json' })).toBe('localhost:3102');
  });

  it('stops send with exit 2', async () => {
    const cwd = project({ 'package.json': BROKEN });

    const result = await runCli(['send', 'payment.succeeded', '--to', 'localhost:9', '--secret', 's'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[E_CONFIG_UNREADABLE]');
  });
});

describe('files of other tools', () => {
  it('ignores broken .config/config files', async () => {
    const cwd = project({
      '.config/config.json': '{"a":',
      '.config/config.yaml': 'a: [',
      '.pllay-hooksrc.json': '{ "target": "localhost:3103" }',
    });

    expect(await configTarget(cwd)).toBe('localhost:3103');
  });

  it('ignores a cosmiconfig key', async () => {
    const cwd = project({
      'package.json': JSON.stringify({ name: 'app', cosmiconfig: { searchPlaces: ['other.json'] } }),
      'other.json': '{ "target": "localhost:1" }',
      '.pllay-hooksrc.json': '{ "target": "localhost:3104" }',
    });

    expect(await configTarget(cwd)).toBe('localhost:3104');
  });

  it('passes over package.json without our key', async () => {
    const cwd = project({
      'app/package.json': JSON.stringify({ name: 'app' }),
      '.pllay-hooksrc.json': '{ "target": "localhost:3105" }',
    });

    expect(await configTarget(join(cwd, 'app'))).toBe('localhost:3105');
  });
});

describe('config file contents', () => {
  it('accepts a BOM in .pllay-hooksrc.json', async () => {
    const cwd = project({ '.pllay-hooksrc.json': `${BOM}{ "target": "localhost:3106" }` });

    expect(await configTarget(cwd)).toBe('localhost:3106');
  });

  it('accepts a BOM in package.json', async () => {
    const cwd = project({ 'package.json': `${BOM}${JSON.stringify({ name: 'app', 'pllay-hooks': { target: 'localhost:3107' } })}` });

    expect(await configTarget(cwd)).toBe('localhost:3107');
  });

  it('rejects a file containing null', async () => {
    const cwd = project({ '.pllay-hooksrc.json': 'null\n' });

    const result = await runCli(['config'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: invalid config in ${join(cwd, '.pllay-hooksrc.json')}`);
    expect(result.stderr).toContain('(top level) is null: expected an object');
  });

  it('rejects a null package.json key', async () => {
    const cwd = project({ 'package.json': JSON.stringify({ name: 'app', 'pllay-hooks': null }) });

    const result = await runCli(['config'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: invalid config in ${join(cwd, 'package.json')}`);
  });

  it('lists every bad header', async () => {
    const headers = { 'content-length': '5', 'bad name': 'x', 'x-ok': 5 };
    const cwd = project({ '.pllay-hooksrc.json': JSON.stringify({ headers }) });

    const result = await runCli(['config'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('headers.content-length: invalid key: expected a header that pllay-hooks does not set itself');
    expect(result.stderr).toContain('headers["bad name"]: invalid key: expected a header name');
    expect(result.stderr).toContain('headers.x-ok is 5: expected the header value as a string');
  });
});

describe('config command values', () => {
  it('rejects an empty --profile', async () => {
    const cwd = project({ '.pllay-hooksrc.json': '{ "profiles": { "staging": {} } }' });

    const result = await runCli(['config', '--profile', ''], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --profile "" names no profile [E_PROFILE_INVALID]');
    expect(result.stderr).toContain('--profile staging');
  });

  it('emits null for unset values', async () => {
    const cwd = project({});

    const result = await runCli(['--json', 'config'], { cwd });
    const config = JSON.parse(result.stdout) as { settings: Record<string, Record<string, unknown>> };

    expect(result.code).toBe(0);
    expect(config.settings.target).toHaveProperty('value', null);
    expect(config.settings['listen.forwardTo']).toHaveProperty('value', null);
  });
});

describe('missing secret', () => {
  it('names the configured secretEnv', async () => {
    const cwd = project({ '.pllay-hooksrc.json': '{ "secretEnv": "MY_SECRET", "target": "localhost:9" }' });

    const result = await runCli(['send', 'payment.succeeded'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[E_NO_SECRET]');
    expect(result.stderr).toContain('set MY_SECRET');
    expect(result.stderr).not.toContain('PLLAY_WEBHOOK_SECRET');
  });

  it('is worded for verify', async () => {
    const cwd = project({ 'body.json': '{}' });

    const result = await runCli(['verify', '--payload', 'body.json', '--signature', 'ab'], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: no signing secret: verifying a signature needs your endpoint\'s secret');
    expect(result.stderr).not.toContain('must be signed');
  });
});
