import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import { openLog, readLogLines, type LogLine } from '../../src/log/index.js';
import { tempDir } from '../helpers/temp.js';

const folders: Array<{ remove(): void }> = [];

afterEach(() => {
  folders.splice(0).forEach((folder) => folder.remove());
});

/** Reads NDJSON given as byte chunks, so tests control where chunk boundaries fall. */
async function read(chunks: Array<string | Buffer>): Promise<{ lines: LogLine[]; torn: number[] }> {
  const stream = Readable.from(
    chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)),
    { objectMode: false },
  );
  const lines: LogLine[] = [];
  const torn: number[] = [];

  for await (const line of readLogLines(stream, (number) => torn.push(number))) {
    lines.push(line);
  }
  return { lines, torn };
}

function values(lines: LogLine[]): unknown[] {
  return lines.map((line) => ('value' in line ? line.value : undefined));
}

describe('readLogLines', () => {
  it('reads one value per line', async () => {
    const { lines, torn } = await read(['{"a":1}\n{"a":2}\n']);

    expect(values(lines)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(lines.map((line) => line.line)).toEqual([1, 2]);
    expect(torn).toEqual([]);
  });

  it('reads a last line without newline', async () => {
    const { lines, torn } = await read(['{"a":1}\n{"a":2}']);

    expect(values(lines)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(torn).toEqual([]);
  });

  it('skips a torn last line', async () => {
    const { lines, torn } = await read(['{"a":1}\n{"a":2}\n{"a":3,"bo']);

    expect(values(lines)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(lines.some((line) => 'error' in line)).toBe(false);
    expect(torn).toEqual([3]);
  });

  it('reports junk lines with numbers', async () => {
    const { lines, torn } = await read(['{"a":1}\nnot json\n{"a":2}\n{"a":\n{"a":3}\n']);
    const errors = lines.filter((line) => 'error' in line);

    expect(values(lines.filter((line) => 'value' in line))).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(errors.map((line) => line.line)).toEqual([2, 4]);
    expect(errors.map((line) => line.raw)).toEqual(['not json', '{"a":']);
    expect(errors[0]).toHaveProperty('error', expect.stringContaining('not valid JSON'));
    expect(torn).toEqual([]);
  });

  it('reports a junk line before a torn one', async () => {
    const { lines, torn } = await read(['junk\n{"a":1}\n{"a"']);

    expect(lines.filter((line) => 'error' in line).map((line) => line.line)).toEqual([1]);
    expect(torn).toEqual([3]);
  });

  it('strips CRLF line endings', async () => {
    const { lines } = await read(['{"a":1}\r\n{"a":"x"}\r\n']);

    expect(values(lines)).toEqual([{ a: 1 }, { a: 'x' }]);
    expect(lines.map((line) => line.raw)).toEqual(['{"a":1}', '{"a":"x"}']);
  });

  it('strips CRLF split across chunks', async () => {
    const { lines } = await read(['{"a":1}\r', '\n{"a":2}\r\n']);

    expect(values(lines)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('skips blank lines but counts them', async () => {
    const { lines } = await read(['\n{"a":1}\n\n   \n\r\n{"a":2}\n\n']);

    expect(values(lines)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(lines.map((line) => line.line)).toEqual([2, 6]);
  });

  it('joins lines split across chunks', async () => {
    const { lines } = await read(['{"na', 'me":"x"}\n{"b"', ':2}\n']);

    expect(values(lines)).toEqual([{ name: 'x' }, { b: 2 }]);
  });

  it('decodes a character split across chunks', async () => {
    const bytes = Buffer.from('{"name":"zoë 🎮"}\n');
    const cut = bytes.indexOf(0xf0) + 2;

    const { lines } = await read([bytes.subarray(0, cut), bytes.subarray(cut)]);

    expect(values(lines)).toEqual([{ name: 'zoë 🎮' }]);
  });

  it('reads an empty input', async () => {
    const { lines, torn } = await read([]);

    expect(lines).toEqual([]);
    expect(torn).toEqual([]);
  });

  it('reads a file through openLog', async () => {
    const folder = tempDir();
    folders.push(folder);
    const path = join(folder.path, 'capture.ndjson');
    writeFileSync(path, '{"event_id":"evt_1"}\n{"event_id":"evt_2"}\n{"event_');

    const lines: LogLine[] = [];
    const torn: number[] = [];
    for await (const line of readLogLines(openLog(path), (number) => torn.push(number))) {
      lines.push(line);
    }

    expect(values(lines)).toEqual([{ event_id: 'evt_1' }, { event_id: 'evt_2' }]);
    expect(torn).toEqual([3]);
  });
});
