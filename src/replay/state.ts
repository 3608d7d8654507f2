import { createReadStream, existsSync } from 'node:fs';

import { ExitCode, PllayError } from '../errors.js';
import { LogWriter, readLogLines } from '../log/index.js';
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
 */
export class ReplayState {
  readonly path: string;
  readonly #delivered: Set<string>;
  readonly #writer: LogWriter;

  private constructor(path: string, delivered: Set<string>, writer: LogWriter) {
    this.path = path;
    this.#delivered = delivered;
    this.#writer = writer;
  }

  /** Reads the ids that earlier runs delivered, and opens the file for appending. */
  static async open(path: string): Promise<ReplayState> {
    const delivered = existsSync(path) ? await readDelivered(path) : new Set<string>();
    return new ReplayState(path, delivered, LogWriter.open(path));
  }

  /** How many events earlier runs delivered. */
  get deliveredCount(): number {
    return this.#delivered.size;
  }

  isDelivered(id: string): boolean {
    return this.#delivered.has(id);
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

    await this.#writer.append(record);
    if (record.ok) {
      this.#delivered.add(record.event_id);
    }
  }

  close(): Promise<void> {
    return this.#writer.close();
  }
}

async function readDelivered(path: string): Promise<Set<string>> {
  const delivered = new Set<string>();

  try {
    for await (const line of readLogLines(createReadStream(path))) {
      const value = 'value' in line ? (line.value as Partial<StateRecord> | null) : undefined;
      if (value?.ok === true && typeof value.event_id === 'string') {
        delivered.add(value.event_id);
      }
    }
  } catch (error) {
    throw new PllayError(
      'E_STATE_UNREADABLE',
      `cannot read the state file ${path}: ${(error as Error).message}`,
      {
        category: 'filesystem',
        exitCode: ExitCode.usage,
        hint: 'pass a readable file with --state, or a new path to start afresh',
        cause: error,
      },
    );
  }
  return delivered;
}
