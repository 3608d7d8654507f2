import { createReadStream, statSync } from 'node:fs';

import { ExitCode, PllayError } from '../errors.js';
import { LogWriter, readLogLines } from '../log/index.js';
import { IdTable } from './id-table.js';
import type { EventResult } from './run.js';

/** One line of a state file: the outcome of one event in one run. */
export interface StateRecord {
  event_id: string;
  type: string;
  outcome: EventResult['outcome'];
  ok: boolean;
  attempts: number;
  status?: number;
  target: string;
  at: string;
}

/**
 * The outcome of each event of a replay, appended as NDJSON as soon as the
 * event is done, so that a later run with the same file skips what the app
 * already accepted. Appending never rewrites what an earlier run recorded.
 * The delivered ids are kept as 64-bit hashes in an IdTable, so that a
 * state file of a million events takes 12 to 18 MB to load.
 */
export class ReplayState {
  readonly path: string;
  readonly #delivered: IdTable;
  readonly #writer: LogWriter;

  private constructor(path: string, delivered: IdTable, writer: LogWriter) {
    this.path = path;
    this.#delivered = delivered;
    this.#writer = writer;
  }

  /** Reads the ids that earlier runs delivered, and opens the file for appending. */
  static async open(path: string): Promise<ReplayState> {
    const delivered = isExisting(path) ? await readDelivered(path) : new IdTable();
    return new ReplayState(path, delivered, openWriter(path));
  }

  /** How many events earlier runs delivered. */
  get deliveredCount(): number {
    return this.#delivered.size;
  }

  isDelivered(id: string): boolean {
    return this.#delivered.find(id) !== -1;
  }

  /** Appends an event's outcome; resolves once the line is written. */
  async record(result: EventResult, target: string): Promise<void> {
    const last = result.attempts.at(-1);
    const record: StateRecord = {
      event_id: result.event.id,
      type: result.event.type,
      outcome: result.outcome,
      ok: result.outcome === 'delivered',
      attempts: result.attempts.length,
      ...(last?.result.status === undefined ? {} : { status: last.result.status }),
      target,
      at: new Date().toISOString(),
    };

    try {
      await this.#writer.append(record);
    } catch (error) {
      throw new PllayError(
        'E_STATE_WRITE_FAILED',
        `cannot write to the state file ${this.path}: ${systemMessage(error)}`,
        {
          category: 'filesystem',
          exitCode: ExitCode.usage,
          hint: 'the outcomes recorded before this one were saved: free space on the disk, then run the same command again to resume',
          cause: error,
        },
      );
    }
    if (record.ok) {
      this.#delivered.insert(record.event_id);
    }
  }

  close(): Promise<void> {
    return this.#writer.close();
  }
}

/** Returns whether the state file exists; one that is not a regular file cannot be a state file. */
function isExisting(path: string): boolean {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats !== undefined && !stats.isFile()) {
    throw stateUnreadable(path, 'it is not a regular file');
  }
  return stats !== undefined;
}

function openWriter(path: string): LogWriter {
  try {
    return LogWriter.open(path);
  } catch (error) {
    throw new PllayError('E_STATE_UNWRITABLE', `cannot write the state file ${path}: ${systemMessage(error)}`, {
      category: 'filesystem',
      exitCode: ExitCode.usage,
      hint: 'choose a writable path with --state FILE',
      cause: error,
    });
  }
}

/** Returns the message of the system error under a log writer's error, which names the log file. */
function systemMessage(error: unknown): string {
  const cause = (error as Error).cause;
  return cause instanceof Error ? cause.message : (error as Error).message;
}

function stateUnreadable(path: string, reason: string, cause?: unknown): PllayError {
  return new PllayError('E_STATE_UNREADABLE', `cannot read the state file ${path}: ${reason}`, {
    category: 'filesystem',
    exitCode: ExitCode.usage,
    hint: 'pass a readable file with --state, or a new path to start afresh',
    cause,
  });
}

async function readDelivered(path: string): Promise<IdTable> {
  const delivered = new IdTable();

  try {
    for await (const line of readLogLines(createReadStream(path))) {
      const value = 'value' in line ? (line.value as Partial<StateRecord> | null) : undefined;
      if (value?.ok === true && typeof value.event_id === 'string') {
        delivered.insert(value.event_id);
      }
    }
  } catch (error) {
    throw stateUnreadable(path, (error as Error).message, error);
  }
  return delivered;
}
