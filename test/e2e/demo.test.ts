import { rmSync } from 'node:fs';
import { dirname } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { readNdjson } from '../helpers/temp.js';

const demoFolders: string[] = [];

afterEach(() => {
  demoFolders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true }));
});

function capturePath(stdout: string): string {
  const path = /^Capture log: (.+)$/m.exec(stdout)?.[1];
  if (path === undefined) {
    throw new Error(`no capture log line in:\n${stdout}`);
  }
  demoFolders.push(dirname(path));
  return path;
}

describe('demo', () => {
  it('reports 13 verified events', async () => {
    const result = await runCli(['demo']);
    const log = capturePath(result.stdout);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('13 of 13 events sent, received and verified.');
    expect(result.stdout.match(/✔ valid/g)).toHaveLength(13);
    expect(readNdjson(log).map((record) => record.signature)).toEqual(Array(13).fill('valid'));
  });

  it('says what to try next', async () => {
    const result = await runCli(['demo']);
    capturePath(result.stdout);

    expect(result.stdout).toContain('pllay-hooks listen');
    expect(result.stdout).toContain('pllay-hooks send');
  });

  it('ignores a secret in the environment', async () => {
    const result = await runCli(['demo'], { env: { PLLAY_WEBHOOK_SECRET: 'whsec_from_env' } });
    const log = capturePath(result.stdout);

    expect(result.code).toBe(0);
    expect(readNdjson(log).map((record) => record.signature)).toEqual(Array(13).fill('valid'));
  });
});
