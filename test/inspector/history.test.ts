import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { readRecentRecords } from '../../src/inspector/history.js';
import { tempDir } from '../helpers/temp.js';

const folders: Array<{ remove(): void }> = [];

afterEach(() => {
  folders.splice(0).forEach((folder) => folder.remove());
});

function captureLine(index: number): string {
  return JSON.stringify({
    kind: 'capture',
    // Ids of one length give lines of one length.
    event_id: `evt_${String(index).padStart(4, '0')}`,
    type: 'payment.succeeded',
    received_at: new Date(1_700_000_000_000 + index).toISOString(),
    method: 'POST',
    path: '/webhooks/pllay',
    headers: {},
    size: 2,
    body: '{}',
    signature: 'valid',
  });
}

function writeLog(text: string): string {
  const folder = tempDir();
  folders.push(folder);
  const path = join(folder.path, 'capture.ndjson');
  writeFileSync(path, text);
  return path;
}

function ids(records: Array<{ event_id: string | null }>): Array<string | null> {
  return records.map((record) => record.event_id);
}

describe('recent log records', () => {
  it('reads the last lines only', async () => {
    const lines = Array.from({ length: 5000 }, (_, index) => captureLine(index + 1));
    const path = writeLog(`${lines.join('\n')}\n`);

    const { records, skipped } = await readRecentRecords(path, { maxLines: 100 });

    expect(records).toHaveLength(100);
    expect(records[0]!.event_id).toBe('evt_4901');
    expect(records.at(-1)!.event_id).toBe('evt_5000');
    expect(skipped).toBe(0);
  });

  it('reads a short log whole', async () => {
    const path = writeLog(`${captureLine(1)}\n${captureLine(2)}\n`);

    const { records } = await readRecentRecords(path, { maxLines: 100 });

    expect(ids(records)).toEqual(['evt_0001', 'evt_0002']);
  });

  it('reads a log without a final newline', async () => {
    const path = writeLog(`${captureLine(1)}\n${captureLine(2)}\n${captureLine(3)}`);

    const { records } = await readRecentRecords(path, { maxLines: 2 });

    expect(ids(records)).toEqual(['evt_0002', 'evt_0003']);
  });

  it('skips lines it cannot use', async () => {
    const delivery = JSON.stringify({
      kind: 'delivery',
      source: 'forward',
      event_id: 'evt_0001',
      type: 'payment.succeeded',
      body: '{}',
      signature: 'valid',
      target: 'http://127.0.0.1:3000/webhooks/pllay',
      ok: true,
      attempts: [],
    });
    const text = [captureLine(1), 'not json', '{"kind":"capture"}', '[1,2]', delivery, '{"torn'].join('\n');
    const path = writeLog(text);

    const { records, skipped } = await readRecentRecords(path);

    expect(records.map((record) => record.kind)).toEqual(['capture', 'delivery']);
    expect(skipped).toBe(3);
  });

  it('starts at a whole line within the bytes', async () => {
    const lines = Array.from({ length: 50 }, (_, index) => captureLine(index + 1));
    const text = `${lines.join('\n')}\n`;
    const path = writeLog(text);
    const lineBytes = Buffer.byteLength(`${lines[0]}\n`);

    const { records, skipped } = await readRecentRecords(path, { maxBytes: lineBytes * 10 + 5 });

    expect(records).toHaveLength(10);
    expect(records.at(-1)!.event_id).toBe('evt_0050');
    expect(skipped).toBe(0);
  });

  it('returns nothing for a missing log', async () => {
    const folder = tempDir();
    folders.push(folder);

    const result = await readRecentRecords(join(folder.path, 'none.ndjson'));

    expect(result).toEqual({ records: [], skipped: 0 });
  });

  it('returns nothing for an empty log', async () => {
    const result = await readRecentRecords(writeLog(''));

    expect(result).toEqual({ records: [], skipped: 0 });
  });
});
