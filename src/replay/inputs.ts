import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { InputFileError } from '../errors.js';
import { makeTempDir } from '../temp.js';
import { extractEvent, type LoggedEvent, type LoggedOutcome } from './extract.js';
import { frameJsonValues } from './frames.js';
import { eventFilter, type Selection } from './select.js';

/** A log to read: a file, or standard input saved to a temporary file. */
export interface ReplayInput {
  path: string;
  /** Name shown to the user: the path as given, or `stdin`. */
  name: string;
  /** Bytes read by both passes, so that lines appended meanwhile are left for a later run. */
  size: number;
}

export type InputItem =
  | { kind: 'event'; event: LoggedEvent; outcome?: LoggedOutcome }
  | { kind: 'outcome'; outcome: LoggedOutcome }
  | { kind: 'unusable'; file: string; line: number; element?: number; reason: string }
  | { kind: 'torn'; file: string; line: number };

/**
 * Checks that every log can be read and fixes its size. Standard input
 * (`-`) is saved to a temporary file, because the logs are read twice.
 * Call `cleanup` when done.
 */
export async function openInputs(
  paths: readonly string[],
  stdin: NodeJS.ReadableStream,
): Promise<{ inputs: ReplayInput[]; cleanup: () => void }> {
  let spool: string | undefined;
  const cleanup = (): void => {
    if (spool) {
      rmSync(spool, { recursive: true, force: true });
    }
  };

  try {
    const inputs: ReplayInput[] = [];
    for (const path of paths) {
      if (path === '-') {
        spool ??= makeTempDir('pllay-hooks-stdin-');
        const saved = join(spool, `stdin-${inputs.length}.ndjson`);
        await pipeline(stdin, createWriteStream(saved));
        inputs.push({ path: saved, name: 'stdin', size: statSync(saved).size });
      } else {
        inputs.push({ path, name: path, size: nonEmpty(path, fileSize(path)) });
      }
    }
    return { inputs, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

function fileSize(path: string): number {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw unreadable(path, error);
  }

  if (!stats.isFile()) {
    throw new InputFileError(
      'E_LOG_UNREADABLE',
      path,
      `cannot read the log ${path}: it is not a file`,
    );
  }
  return stats.size;
}

/**
 * Rejects an empty log file, which is more often a wrong path than a log
 * with nothing to replay. Empty standard input is allowed, because a filter
 * in a pipe that selects nothing leaves it empty.
 */
function nonEmpty(path: string, size: number): number {
  if (size === 0) {
    throw new InputFileError('E_LOG_EMPTY', path, `the log ${path} is empty: there is no event to replay`);
  }
  return size;
}

function unreadable(path: string, error: unknown): InputFileError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'file not found' : (error as Error).message;
  return new InputFileError(
    'E_LOG_UNREADABLE',
    path,
    `cannot read the log ${path}: ${reason}`,
    error,
  );
}

/** Reads one log as a stream and yields the event or outcome in each JSON value. */
export async function* readInput(input: ReplayInput): AsyncGenerator<InputItem> {
  if (input.size === 0) {
    return;
  }

  const stream = createReadStream(input.path, { encoding: 'utf8', end: input.size - 1 });
  try {
    for await (const frame of frameJsonValues(stream as AsyncIterable<string>)) {
      if (frame.kind === 'torn') {
        yield { kind: 'torn', file: input.name, line: frame.line };
        continue;
      }
      const element = frame.element === undefined ? {} : { element: frame.element };
      if (frame.kind === 'unusable') {
        yield {
          kind: 'unusable',
          file: input.name,
          line: frame.line,
          ...element,
          reason: frame.reason,
        };
        continue;
      }

      const found = extractEvent(frame, input.name);
      if ('unusable' in found) {
        yield {
          kind: 'unusable',
          file: input.name,
          line: frame.line,
          ...element,
          reason: found.unusable,
        };
      } else if (found.event) {
        yield {
          kind: 'event',
          event: found.event,
          ...(found.outcome ? { outcome: found.outcome } : {}),
        };
      } else if (found.outcome) {
        yield { kind: 'outcome', outcome: found.outcome };
      }
    }
  } catch (error) {
    throw unreadable(input.name, error);
  } finally {
    stream.destroy();
  }
}

/** A line that contains no usable event. */
export interface UnusableLine {
  file: string;
  line: number;
  element?: number;
  reason: string;
}

/** What the first pass over the logs learnt. */
export interface InputScan {
  /** Events that the second pass will select. */
  total: number;
  /** Events found in the logs, selected or not. */
  found: number;
  unusableCount: number;
  /** The first unusable lines, at most MAX_LISTED_LINES of them. */
  unusable: UnusableLine[];
  torn: Array<{ file: string; line: number }>;
  /** With --failed: ids whose last recorded delivery did not succeed. */
  failedIds?: Set<string>;
}

/** Unusable lines kept for the report; the rest are only counted. */
export const MAX_LISTED_LINES = 100;

const OUTCOME_OK = 1;
const OUTCOME_FAILED = 2;

/**
 * First pass: counts the events that will be selected, lists the lines
 * that contain no event, and with --failed learns each event's last recorded
 * outcome. It keeps one small number per event id.
 */
export async function scanInputs(
  inputs: readonly ReplayInput[],
  selection: Selection,
): Promise<InputScan> {
  const matches = eventFilter(selection);
  // Per id: candidates × 4 + last outcome (0 none, 1 ok, 2 failed),
  // so that one number stores both.
  const ids = new Map<string, number>();
  const scan: InputScan = { total: 0, found: 0, unusableCount: 0, unusable: [], torn: [] };
  let occurrences = 0;

  for (const input of inputs) {
    for await (const item of readInput(input)) {
      if (item.kind === 'unusable') {
        scan.unusableCount++;
        if (scan.unusable.length < MAX_LISTED_LINES) {
          const { kind: _kind, ...line } = item;
          scan.unusable.push(line);
        }
        continue;
      }
      if (item.kind === 'torn') {
        scan.torn.push({ file: item.file, line: item.line });
        continue;
      }

      let entry = ids.get(item.kind === 'event' ? item.event.id : item.outcome.id) ?? 0;
      if (item.kind === 'event') {
        scan.found++;
        if (matches(item.event)) {
          entry += 4;
          occurrences++;
        }
      }
      if (item.outcome) {
        entry = entry - (entry % 4) + (item.outcome.ok ? OUTCOME_OK : OUTCOME_FAILED);
      }
      ids.set(item.kind === 'event' ? item.event.id : item.outcome.id, entry);
    }
  }

  scan.total = countSelected(ids, selection, occurrences);
  if (selection.failed) {
    scan.failedIds = new Set(
      [...ids].filter(([, entry]) => entry % 4 === OUTCOME_FAILED).map(([id]) => id),
    );
  }
  return scan;
}

function countSelected(
  ids: Map<string, number>,
  selection: Selection,
  occurrences: number,
): number {
  let total = selection.dedupe || selection.failed ? 0 : occurrences;

  if (selection.dedupe || selection.failed) {
    for (const entry of ids.values()) {
      const candidates = Math.floor(entry / 4);
      const outcome = entry % 4;
      if (selection.failed && outcome !== OUTCOME_FAILED) {
        continue;
      }
      total += selection.dedupe ? Math.min(candidates, 1) : candidates;
    }
  }
  return selection.limit === undefined ? total : Math.min(total, selection.limit);
}

/**
 * Second pass: yields the selected events in log order. Repeats of an id
 * are counted through `onDuplicate` and left out unless dedupe is off.
 */
export async function* selectEvents(
  inputs: readonly ReplayInput[],
  selection: Selection,
  scan: InputScan,
  onDuplicate?: (event: LoggedEvent) => void,
): AsyncGenerator<LoggedEvent> {
  const matches = eventFilter(selection);
  const seen = new Set<string>();
  let selected = 0;

  for (const input of inputs) {
    for await (const item of readInput(input)) {
      if (item.kind !== 'event' || !matches(item.event)) {
        continue;
      }
      if (scan.failedIds && !scan.failedIds.has(item.event.id)) {
        continue;
      }
      if (selection.dedupe && seen.has(item.event.id)) {
        onDuplicate?.(item.event);
        continue;
      }
      if (selection.limit !== undefined && selected >= selection.limit) {
        return;
      }

      if (selection.dedupe) {
        seen.add(item.event.id);
      }
      selected++;
      yield item.event;
    }
  }
}
