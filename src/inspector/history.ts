import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

import { readLogLines, type CaptureRecord, type DeliveryRecord } from '../log/index.js';

/** Log lines read back when the inspector starts. */
export const DEFAULT_HISTORY_LINES = 2_000;

/** Bytes at the end of the log that the inspector reads back at most. */
export const DEFAULT_HISTORY_BYTES = 32 * 1024 * 1024;

/** Size of each read while looking backwards for line starts. */
const CHUNK_BYTES = 64 * 1024;

export interface RecentRecords {
  records: Array<CaptureRecord | DeliveryRecord>;
  /** Lines in the range read that were not JSON or not a capture or delivery record. */
  skipped: number;
}

/**
 * Reads the last `maxLines` lines of a capture log, and no more than its
 * last `maxBytes` bytes. It finds where those lines start by reading
 * backwards from the end, then reads them with the streaming log reader,
 * so the time taken does not grow with the size of the log. A missing log
 * has no records.
 */
export async function readRecentRecords(
  path: string,
  options: { maxLines?: number; maxBytes?: number } = {},
): Promise<RecentRecords> {
  const range = await tailRange(path, options.maxLines ?? DEFAULT_HISTORY_LINES, options.maxBytes ?? DEFAULT_HISTORY_BYTES);
  if (range === undefined) {
    return { records: [], skipped: 0 };
  }

  const records: RecentRecords['records'] = [];
  let skipped = 0;
  const stream = createReadStream(path, { start: range.start, end: range.end - 1 });
  for await (const line of readLogLines(stream)) {
    const value = 'value' in line ? line.value : undefined;
    if (isLogRecord(value)) {
      records.push(value);
    } else {
      skipped++;
    }
  }
  return { records, skipped };
}

/** Byte range [start, end) that contains the last lines of the file, or undefined when it is empty. */
async function tailRange(
  path: string,
  maxLines: number,
  maxBytes: number,
): Promise<{ start: number; end: number } | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }

  try {
    const end = (await file.stat()).size;
    if (end === 0 || maxLines === 0) {
      return undefined;
    }
    return { start: await findTailStart(file, end, maxLines, maxBytes), end };
  } finally {
    await file.close();
  }
}

/**
 * Returns the offset just after the newline that precedes the last
 * `maxLines` lines. When the byte limit comes first, the range starts at
 * the first line that begins inside it, so that no line is cut.
 */
async function findTailStart(
  file: Awaited<ReturnType<typeof open>>,
  end: number,
  maxLines: number,
  maxBytes: number,
): Promise<number> {
  const floor = Math.max(0, end - maxBytes);
  const buffer = Buffer.alloc(CHUNK_BYTES);
  // A newline at the very end closes the last line, so it does not start one.
  let newlines = 0;
  let position = end;
  let earliestNewline = -1;

  while (position > floor) {
    const length = Math.min(CHUNK_BYTES, position - floor);
    position -= length;
    await file.read(buffer, 0, length, position);

    for (let index = length - 1; index >= 0; index--) {
      const offset = position + index;
      if (buffer[index] !== 0x0a || offset === end - 1) {
        continue;
      }
      newlines++;
      earliestNewline = offset;
      if (newlines === maxLines) {
        return offset + 1;
      }
    }
  }

  if (floor === 0) {
    return 0;
  }
  return earliestNewline === -1 ? end : earliestNewline + 1;
}

function isLogRecord(value: unknown): value is CaptureRecord | DeliveryRecord {
  if (typeof value !== 'object' || value === null) {
    return false;
  }

  const record = value as Record<string, unknown>;
  const identified =
    (typeof record.event_id === 'string' || record.event_id === null) &&
    (typeof record.type === 'string' || record.type === null);
  if (record.kind === 'capture') {
    return (
      identified &&
      typeof record.received_at === 'string' &&
      typeof record.signature === 'string' &&
      typeof record.size === 'number' &&
      typeof record.headers === 'object' &&
      record.headers !== null
    );
  }
  return identified && record.kind === 'delivery' && Array.isArray(record.attempts);
}
