import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_round_trip';
const running: RunningCli[] = [];
const folders: Array<{ remove(): void }> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop()));
  folders.splice(0).forEach((folder) => folder.remove());
});

async function startListen(secret: string): Promise<{ url: string; log: string }> {
  const folder = tempDir();
  folders.push(folder);
  const log = join(folder.path, 'capture.ndjson');

  const listen = startCli(['listen', '--port', '0', '--log', log, '--secret', secret]);
  running.push(listen);
  const [, url] = await listen.waitForLine(/Listening on (\S+)/);
  return { url: url!, log };
}

describe('send to listen', () => {
  it('logs 13 valid records for send --all', async () => {
    const { url, log } = await startListen(SECRET);

    const sent = await runCli(['send', '--all', '--to', url, '--secret', SECRET]);

    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const records = readNdjson(log);
    expect(records).toHaveLength(13);
    expect(records.map((record) => record.signature)).toEqual(Array(13).fill('valid'));
    expect(new Set(records.map((record) => record.type)).size).toBe(13);
  });

  it('logs 13 invalid records under a wrong secret and keeps running', async () => {
    const { url, log } = await startListen(SECRET);

    const sent = await runCli(['send', '--all', '--to', url, '--secret', 'whsec_wrong']);
    const again = await runCli(['send', 'kyc.started', '--to', url, '--secret', SECRET]);

    expect(sent.code).toBe(0);
    expect(again.code).toBe(0);
    const records = readNdjson(log);
    expect(records.slice(0, 13).map((record) => record.signature)).toEqual(Array(13).fill('invalid'));
    expect(records[13]!.signature).toBe('valid');
  });
});
