import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { PllayError } from '../../src/errors.js';
import { LogWriter } from '../../src/log/writer.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const folders: Array<{ path: string; remove(): void }> = [];
const writers: LogWriter[] = [];

afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

function openLog(name = 'log.ndjson'): LogWriter {
  const folder = tempDir();
  folders.push(folder);
  const writer = LogWriter.open(join(folder.path, name));
  writers.push(writer);
  return writer;
}

describe('LogWriter', () => {
  it('starts a line after a torn one', async () => {
    const folder = tempDir();
    folders.push(folder);
    const path = join(folder.path, 'torn.ndjson');
    writeFileSync(path, '{"a":1}\n{"event_id":"evt_to');

    const writer = LogWriter.open(path);
    writers.push(writer);
    await writer.append({ b: 2 });
    await writer.close();

    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"event_id":"evt_to\n{"b":2}\n');
  });

  it('adds nothing after a whole line', async () => {
    const folder = tempDir();
    folders.push(folder);
    const path = join(folder.path, 'whole.ndjson');
    writeFileSync(path, '{"a":1}\n');

    const writer = LogWriter.open(path);
    writers.push(writer);
    await writer.append({ b: 2 });
    await writer.close();

    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
  });

  it('keeps concurrent appends in order', async () => {
    const writer = openLog();

    await Promise.all(Array.from({ length: 500 }, (_, index) => writer.append({ index })));
    await writer.close();

    const records = readNdjson(writer.path);
    expect(records).toHaveLength(500);
    expect(records.map((record) => record.index)).toEqual(Array.from({ length: 500 }, (_, index) => index));
  });

  it('writes the line before resolving', async () => {
    const writer = openLog();

    await writer.append({ event_id: 'evt_1' });

    expect(readFileSync(writer.path, 'utf8')).toBe('{"event_id":"evt_1"}\n');
  });

  it('appends to an existing log', async () => {
    const first = openLog();
    await first.appendLine('{"n":1}');
    await first.close();

    const second = LogWriter.open(first.path);
    writers.push(second);
    await second.appendLine('{"n":2}');

    expect(readFileSync(first.path, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('creates missing folders', async () => {
    const writer = openLog(join('a', 'b', 'log.ndjson'));

    await writer.appendLine('{}');

    expect(existsSync(writer.path)).toBe(true);
  });

  it('waits for pending lines on close', async () => {
    const writer = openLog();

    const appends = Array.from({ length: 50 }, (_, index) => writer.append({ index }));
    await writer.close();
    await Promise.all(appends);

    expect(readNdjson(writer.path)).toHaveLength(50);
  });

  it('rejects appends after close', async () => {
    const writer = openLog();
    await writer.close();

    await expect(writer.appendLine('{}')).rejects.toThrow(/is closed/);
  });

  it('rejects an unwritable path', () => {
    const folder = tempDir();
    folders.push(folder);

    const open = (): LogWriter => LogWriter.open(folder.path);

    expect(open).toThrow(PllayError);
    expect(open).toThrow(/cannot write the log file/);
  });

  it.runIf(existsSync('/dev/full'))('rejects every append after a failed write', async () => {
    const writer = LogWriter.open('/dev/full');
    writers.push(writer);

    const first = writer.appendLine('{"n":1}');
    const second = writer.appendLine('{"n":2}');

    const failure = { code: 'E_LOG_WRITE_FAILED', cause: expect.objectContaining({ code: 'ENOSPC' }) };
    await expect(first).rejects.toMatchObject(failure);
    await expect(second).rejects.toMatchObject(failure);
    await expect(writer.appendLine('{"n":3}')).rejects.toMatchObject(failure);
  });
});
