import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const folders: Array<{ remove(): void }> = [];

afterEach(() => {
  folders.splice(0).forEach((folder) => folder.remove());
});

function folder(): string {
  const made = tempDir();
  folders.push(made);
  return made.path;
}

describe('init next to another config', () => {
  it('names the package.json that wins', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ name: 'app', 'pllay-hooks': { target: 'localhost:3201' } }));

    const result = await runCli(['init', '--yes'], { cwd });

    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, '.pllay-hooksrc.json'))).toBe(true);
    expect(result.stderr).toContain(
      'warning: pllay-hooks finds the "pllay-hooks" key of package.json before .pllay-hooksrc.json, so .pllay-hooksrc.json is not used',
    );
    expect(result.stderr).toContain('pass --config .pllay-hooksrc.json');
  });

  it('names a file that wins', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, '.pllay-hooksrc'), 'target: localhost:3202\n');

    const result = await runCli(['init', '--yes'], { cwd });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: pllay-hooks finds .pllay-hooksrc before .pllay-hooksrc.json');
  });

  it('stays quiet when its file wins', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ name: 'app' }));

    const result = await runCli(['init', '--yes'], { cwd });

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('init flag values', () => {
  it('rejects an empty --log', async () => {
    const cwd = folder();

    const result = await runCli(['init', '--yes', '--log', ''], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: invalid --log "": expected a file path, not an empty string [E_INIT_FLAG_INVALID]');
    expect(existsSync(join(cwd, '.pllay-hooksrc.json'))).toBe(false);
  });

  it('writes a file later commands accept', async () => {
    const cwd = folder();

    const init = await runCli(['init', '--yes', '--log', 'hooks.ndjson', '--port', '0'], { cwd });
    const config = await runCli(['config'], { cwd });

    expect(init.code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, '.pllay-hooksrc.json'), 'utf8'))).toHaveProperty('listen.log', 'hooks.ndjson');
    expect(config.code).toBe(0);
  });
});
