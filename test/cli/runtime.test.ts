import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

// CI runs this suite on each supported Node.js line. These tests check that the CLI they spawn
// runs on that same line, and that bin/pllay-hooks.js takes the path meant for it.

const major = Number(process.versions.node.split('.')[0]);
// @types/node for Node.js 20 does not declare module.enableCompileCache.
const hasCompileCache =
  typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const folders: Array<{ remove(): void }> = [];

afterEach(() => {
  folders.splice(0).forEach((folder) => folder.remove());
});

/** Creates an empty TMPDIR for the CLI, where Node.js puts its compile cache by default. */
function createTmpDir(): string {
  const folder = tempDir();
  folders.push(folder);
  const tmp = join(folder.path, 'tmp');
  mkdirSync(tmp);
  return tmp;
}

const noCacheSettings = { NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined };

describe('CLI runtime', () => {
  it('runs on the test runtime', async () => {
    // Preloads a module that prints the version of the Node.js binary running the CLI.
    const preload = '--import=data:text/javascript,process.stderr.write(process.version)';

    const result = await runCli(['--version'], { env: { NODE_OPTIONS: preload } });

    expect(result.code).toBe(0);
    expect(result.stderr).toBe(process.version);
  });

  it('has compile cache from Node.js 22', () => {
    expect(hasCompileCache).toBe(major >= 22);
  });

  it('writes compile cache where supported', async () => {
    const tmp = createTmpDir();

    const result = await runCli(['events'], { env: { ...noCacheSettings, TMPDIR: tmp } });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const cache = join(tmp, 'node-compile-cache');
    expect(existsSync(cache)).toBe(hasCompileCache);
    if (hasCompileCache) {
      expect(readdirSync(cache, { recursive: true }).length).toBeGreaterThan(0);
    }
  });

  it('honours NODE_DISABLE_COMPILE_CACHE', async () => {
    const tmp = createTmpDir();

    const result = await runCli(['events'], {
      env: { ...noCacheSettings, NODE_DISABLE_COMPILE_CACHE: '1', TMPDIR: tmp },
    });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(join(tmp, 'node-compile-cache'))).toBe(false);
  });
});
