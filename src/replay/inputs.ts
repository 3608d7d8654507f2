import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { InputFileError } from '../errors.js';
import { makeTempDir } from '../temp.js';
import {
  extractEvent,
  type ExtractOptions,
  type LoggedEvent,
  type LoggedOutcome,
} from './extract.js';
import { frameJsonBatches, type Frame } from './frames.js';
import { IdTable, type IdTableOptions } from './id-table.js';
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
 * Call `cleanup` when done. An aborted `signal` stops the reading of
 * standard input, which may otherwise never end, and rejects with an AbortError.
 */
export async function openInputs(
  paths: readonly string[],
  stdin: NodeJS.ReadableStream,
  signal?: AbortSignal,
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
        await pipeline(stdin, createWriteStream(saved), signal ? { signal } : {});
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

/** How much of each event a pass needs. */
export interface ReadOptions {
  /**
   * False for a pass that needs only ids, types, times and outcomes: events
   * then come with an empty body and no signature, which saves decoding the
   * body of every log record. True by default.
   */
  keepBody?: boolean;
}

/** Reads one log as a stream and yields the event or outcome in each JSON value. */
export async function* readInput(
  input: ReplayInput,
  options: ReadOptions = {},
): AsyncGenerator<InputItem> {
  for await (const items of readInputBatches(input, options)) {
    yield* items;
  }
}

/**
 * Reads one log as readInput does, but yields the items of each chunk of
 * the file together, which saves a promise per item.
 */
export async function* readInputBatches(
  input: ReplayInput,
  options: ReadOptions = {},
): AsyncGenerator<InputItem[]> {
  if (input.size === 0) {
    return;
  }

  const stream = createReadStream(input.path, { encoding: 'utf8', end: input.size - 1 });
  const extractOptions = { keepBody: options.keepBody !== false };
  try {
    for await (const frames of frameJsonBatches(stream as AsyncIterable<string>)) {
      const items: InputItem[] = [];
      for (const frame of frames) {
        const item = toItem(frame, input.name, extractOptions);
        if (item) {
          items.push(item);
        }
      }
      yield items;
    }
  } catch (error) {
    throw unreadable(input.name, error);
  } finally {
    stream.destroy();
  }
}

/** Converts a frame into an item; undefined for a value with neither event nor outcome. */
function toItem(frame: Frame, file: string, options: ExtractOptions): InputItem | undefined {
  if (frame.kind === 'torn') {
    return { kind: 'torn', file, line: frame.line };
  }
  const element = frame.element === undefined ? {} : { element: frame.element };
  if (frame.kind === 'unusable') {
    return { kind: 'unusable', file, line: frame.line, ...element, reason: frame.reason };
  }

  const found = extractEvent(frame, file, options);
  if ('unusable' in found) {
    return { kind: 'unusable', file, line: frame.line, ...element, reason: found.unusable };
  }
  if (found.event) {
    return {
      kind: 'event',
      event: found.event,
      ...(found.outcome ? { outcome: found.outcome } : {}),
    };
  }
  return found.outcome ? { kind: 'outcome', outcome: found.outcome } : undefined;
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
  /**
   * Per event id, the last recorded outcome and whether the filters matched
   * it, with the bits below. Absent when neither --failed nor dedupe needs it.
   */
  ids?: IdTable;
}

/** Unusable lines kept for the report; the rest are only counted. */
export const MAX_LISTED_LINES = 100;

/** Bits 0 and 1 of an id's flags: its last recorded outcome. */
const OUTCOME_MASK = 0b11;
const OUTCOME_OK = 1;
const OUTCOME_FAILED = 2;
/** The filters matched at least one line of the id. */
const MATCHED = 0b100;
/** The second pass has yielded the id, so that dedupe leaves out its repeats. */
const YIELDED = 0b1000;

/**
 * First pass: counts the events that will be selected, lists the lines
 * that contain no event, and with --failed learns each event's last recorded
 * outcome. Per event id it keeps a 64-bit hash and a byte of flags in an
 * IdTable (and a counter with --failed --no-dedupe), never the id itself.
 */
export async function scanInputs(
  inputs: readonly ReplayInput[],
  selection: Selection,
  tableOptions: Pick<IdTableOptions, 'hash'> = {},
): Promise<InputScan> {
  const scan: InputScan = { total: 0, found: 0, unusableCount: 0, unusable: [], torn: [] };
  const ids =
    selection.failed || selection.dedupe
      ? new IdTable({ ...tableOptions, counts: selection.failed && !selection.dedupe })
      : undefined;
  const counter = { scan, ids, selection, matches: eventFilter(selection), occurrences: 0 };

  for (const input of inputs) {
    for await (const items of readInputBatches(input, { keepBody: false })) {
      for (const item of items) {
        scanItem(item, counter);
      }
    }
  }

  scan.total = countSelected(ids, selection, counter.occurrences);
  return ids ? { ...scan, ids } : scan;
}

interface ScanCounter {
  scan: InputScan;
  ids: IdTable | undefined;
  selection: Selection;
  matches: (event: LoggedEvent) => boolean;
  /** Lines whose event the filters matched, repeats included. */
  occurrences: number;
}

function scanItem(item: InputItem, counter: ScanCounter): void {
  const { scan, ids, selection } = counter;

  if (item.kind === 'unusable') {
    scan.unusableCount++;
    if (scan.unusable.length < MAX_LISTED_LINES) {
      const { kind: _kind, ...line } = item;
      scan.unusable.push(line);
    }
    return;
  }
  if (item.kind === 'torn') {
    scan.torn.push({ file: item.file, line: item.line });
    return;
  }

  const matched = item.kind === 'event' && counter.matches(item.event);
  if (item.kind === 'event') {
    scan.found++;
  }
  if (matched) {
    counter.occurrences++;
  }
  if (ids && (matched || selection.failed)) {
    noteId(ids, item.kind === 'event' ? item.event.id : item.outcome.id, matched, item.outcome);
  }
}

/** Records in the table that an id matched the filters, and its latest outcome. */
function noteId(
  ids: IdTable,
  id: string,
  matched: boolean,
  outcome: LoggedOutcome | undefined,
): void {
  const slot = ids.insert(id);
  let flags = ids.flagsAt(slot);

  if (matched) {
    flags |= MATCHED;
    if (ids.counts) {
      ids.incrementAt(slot);
    }
  }
  if (outcome) {
    flags = (flags & ~OUTCOME_MASK) | (outcome.ok ? OUTCOME_OK : OUTCOME_FAILED);
  }
  ids.setFlagsAt(slot, flags);
}

function countSelected(
  ids: IdTable | undefined,
  selection: Selection,
  occurrences: number,
): number {
  let total = 0;

  if (!ids) {
    total = occurrences;
  } else {
    ids.forEach((flags, count) => {
      if (!(flags & MATCHED)) {
        return;
      }
      if (selection.failed && (flags & OUTCOME_MASK) !== OUTCOME_FAILED) {
        return;
      }
      total += selection.dedupe ? 1 : count;
    });
  }
  return selection.limit === undefined ? total : Math.min(total, selection.limit);
}

/**
 * Second pass: yields the selected events in log order. Repeats of an id
 * are counted through `onDuplicate` and left out unless dedupe is off.
 * With `keepBody: false` the events come without body and signature.
 */
export async function* selectEvents(
  inputs: readonly ReplayInput[],
  selection: Selection,
  scan: InputScan,
  onDuplicate?: (event: LoggedEvent) => void,
  readOptions: ReadOptions = {},
): AsyncGenerator<LoggedEvent> {
  const matches = eventFilter(selection);
  const ids = scan.ids;
  let selected = 0;

  // A scan may be passed to a second run of this pass, which starts afresh.
  ids?.clearFlags(YIELDED);
  for (const input of inputs) {
    for await (const items of readInputBatches(input, readOptions)) {
      for (const item of items) {
        if (item.kind !== 'event' || !matches(item.event)) {
          continue;
        }

        const verdict = selectOnce(item.event, selection, ids);
        if (verdict === 'duplicate') {
          onDuplicate?.(item.event);
          continue;
        }
        if (verdict === 'skip') {
          continue;
        }
        if (selection.limit !== undefined && selected >= selection.limit) {
          return;
        }

        selected++;
        yield item.event;
      }
    }
  }
}

/**
 * Decides whether an event that the filters matched is sent: not when
 * --failed is on and its last outcome is not a failure, nor when dedupe is
 * on and its id was sent before. Marks the id as sent when it is.
 */
function selectOnce(
  event: LoggedEvent,
  selection: Selection,
  ids: IdTable | undefined,
): 'send' | 'skip' | 'duplicate' {
  const slot = ids ? ids.find(event.id) : -1;
  const flags = slot === -1 ? 0 : ids!.flagsAt(slot);

  if (selection.failed && (flags & OUTCOME_MASK) !== OUTCOME_FAILED) {
    return 'skip';
  }
  if (selection.dedupe && flags & YIELDED) {
    return 'duplicate';
  }
  if (selection.dedupe && slot !== -1) {
    ids!.setFlagsAt(slot, flags | YIELDED);
  }
  return 'send';
}
