import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** One line of an NDJSON log: its number, and the parsed value or why it could not be used. */
export type LogLine =
  | { line: number; value: unknown; raw: string }
  | { line: number; error: string; raw: string };

/**
 * Reads NDJSON as a stream, one line at a time, in constant memory. Blank
 * lines are skipped. A last line without a newline that does not parse is a
 * torn write from an interrupted writer: it is skipped and reported through
 * `onTornLine`, not as an error.
 */
export async function* readLogLines(
  input: Readable,
  onTornLine?: (line: number) => void,
): AsyncGenerator<LogLine> {
  let pending = '';
  let lineNumber = 0;

  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    pending += chunk;

    let newline = pending.indexOf('\n');
    let start = 0;
    while (newline !== -1) {
      lineNumber++;
      const parsed = parseLine(pending.slice(start, newline), lineNumber);
      if (parsed) {
        yield parsed;
      }
      start = newline + 1;
      newline = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
  }

  if (pending.trim() !== '') {
    lineNumber++;
    const parsed = parseLine(pending, lineNumber);
    if (parsed && 'error' in parsed) {
      onTornLine?.(lineNumber);
    } else if (parsed) {
      yield parsed;
    }
  }
}

function parseLine(text: string, line: number): LogLine | undefined {
  const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (raw.trim() === '') {
    return undefined;
  }

  try {
    return { line, value: JSON.parse(raw), raw };
  } catch (error) {
    return { line, error: `not valid JSON (${(error as Error).message})`, raw };
  }
}

/** Opens a log file (or `-` for stdin) as a stream for readLogLines. */
export function openLog(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path);
}
