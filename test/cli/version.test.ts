import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';

const PACKAGE = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

describe('--version', () => {
  it('prints package.json version', async () => {
    const result = await runCli(['--version']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${PACKAGE.version}\n`);
  });

  it('accepts -V', async () => {
    const result = await runCli(['-V']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${PACKAGE.version}\n`);
  });
});
