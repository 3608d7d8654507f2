import { describe, expect, it } from 'vitest';

import { resolveSettings } from '../../src/config/resolve.js';
import type { ParsedConfig } from '../../src/config/schema.js';
import { validateConfig } from '../../src/config/validate.js';
import { ConfigError } from '../../src/errors.js';

const FILE = '/project/.pllay-hooksrc.json';

function parse(contents: unknown): ParsedConfig {
  return validateConfig(contents, FILE);
}

describe('resolveSettings precedence', () => {
  const config = parse({ target: 'localhost:4000', listen: { port: 4100 }, secret: 'whsec_file' });

  it('uses defaults without a file', () => {
    const { settings } = resolveSettings({ env: {} });

    expect(settings['listen.port']).toEqual({ value: 7575, source: 'default', origin: 'default' });
    expect(settings.target.value).toBeUndefined();
    expect(settings.secrets.value).toEqual([]);
  });

  it('takes the file over defaults', () => {
    const { settings } = resolveSettings({ config, configPath: FILE, env: {} });

    expect(settings['listen.port']).toEqual({ value: 4100, source: 'file', origin: `listen.port in ${FILE}` });
    expect(settings.secrets.value).toEqual(['whsec_file']);
  });

  it('takes the environment over the file', () => {
    const env = { PLLAY_HOOKS_PORT: '4200', PLLAY_WEBHOOK_SECRET: 'whsec_env', PLLAY_HOOKS_TARGET: 'localhost:4300' };
    const { settings } = resolveSettings({ config, configPath: FILE, env });

    expect(settings['listen.port']).toEqual({ value: 4200, source: 'env', origin: 'PLLAY_HOOKS_PORT' });
    expect(settings.secrets).toEqual({ value: ['whsec_env'], source: 'env', origin: 'PLLAY_WEBHOOK_SECRET' });
    expect(settings.target.value).toBe('localhost:4300');
  });

  it('takes flags over the environment', () => {
    const { settings } = resolveSettings({
      config,
      configPath: FILE,
      env: { PLLAY_HOOKS_PORT: '4200', PLLAY_WEBHOOK_SECRET: 'whsec_env' },
      flags: { 'listen.port': 4300, secrets: ['whsec_a', 'whsec_b'] },
      flagNames: { 'listen.port': '--port', secrets: '--secret' },
    });

    expect(settings['listen.port']).toEqual({ value: 4300, source: 'flag', origin: '--port' });
    expect(settings.secrets.value).toEqual(['whsec_a', 'whsec_b']);
  });

  it('ignores flags that were not given', () => {
    const { settings } = resolveSettings({ config, configPath: FILE, env: {}, flags: { 'listen.port': undefined } });

    expect(settings['listen.port'].source).toBe('file');
  });

  it('reads the secret from secretEnv', () => {
    const named = parse({ secretEnv: 'MY_APP_SECRET', secret: 'whsec_file' });
    const { settings } = resolveSettings({ config: named, configPath: FILE, env: { MY_APP_SECRET: 'whsec_mine', PLLAY_WEBHOOK_SECRET: 'whsec_other' } });

    expect(settings.secrets).toEqual({ value: ['whsec_mine'], source: 'env', origin: 'MY_APP_SECRET' });
  });

  it('keeps a list of file secrets in order', () => {
    const rotating = parse({ secret: ['whsec_new', 'whsec_old'] });
    const { settings } = resolveSettings({ config: rotating, configPath: FILE, env: {} });

    expect(settings.secrets.value).toEqual(['whsec_new', 'whsec_old']);
  });
});

describe('resolveSettings profiles', () => {
  const config = parse({
    target: 'localhost:4000',
    headers: { 'x-team': 'core', 'x-env': 'dev' },
    listen: { port: 4100, host: '127.0.0.1' },
    profiles: { staging: { target: 'https://staging.example.com/hooks', headers: { 'x-env': 'staging' }, listen: { port: 4400 } } },
  });

  it('merges the profile over the top level', () => {
    const { settings } = resolveSettings({ config, configPath: FILE, profile: 'staging', env: {} });

    expect(settings.target).toEqual({ value: 'https://staging.example.com/hooks', source: 'file', origin: `profiles.staging.target in ${FILE}` });
    expect(settings['listen.port'].value).toBe(4400);
    expect(settings['listen.host'].value).toBe('127.0.0.1');
    expect(settings.headers.value).toEqual({ 'x-team': 'core', 'x-env': 'staging' });
  });

  it('rejects an unknown profile with a suggestion', () => {
    expect(() => resolveSettings({ config, configPath: FILE, profile: 'stagng', env: {} })).toThrow(/profile "stagng" not found.*did you mean "staging"/);
  });

  it('rejects a profile without a file', () => {
    expect(() => resolveSettings({ profile: 'staging', env: {} })).toThrow(/no config file was found/);
  });
});

describe('resolveSettings environment', () => {
  it('rejects an invalid port variable', () => {
    const attempt = (): unknown => resolveSettings({ env: { PLLAY_HOOKS_PORT: 'eighty' } });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('invalid environment variable PLLAY_HOOKS_PORT="eighty": expected a port from 0 to 65535');
  });

  it('parses a timeout like the flag', () => {
    const { settings } = resolveSettings({ env: { PLLAY_HOOKS_TIMEOUT: '2' } });

    expect(settings.timeout.value).toBe(2000);
  });

  it('rejects a timeout over 596h', () => {
    const attempt = (): unknown => resolveSettings({ env: { PLLAY_HOOKS_TIMEOUT: '1000h' } });

    expect(attempt).toThrow('invalid environment variable PLLAY_HOOKS_TIMEOUT="1000h": expected a duration from 1ms to 596h');
  });

  it('warns about a secret with a newline', () => {
    const { warnings } = resolveSettings({ env: { PLLAY_WEBHOOK_SECRET: 'whsec_x\n' } });

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('the secret from PLLAY_WEBHOOK_SECRET starts or ends with whitespace');
    expect(warnings[0]).not.toContain('whsec_x');
  });
});
