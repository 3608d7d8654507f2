import { close, closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

import { PllayError, ExitCode } from '../errors.js';

interface PendingAppend {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Appends NDJSON records to a file. `append` resolves once the line has
 * been written to the file descriptor, so a record that was acknowledged
 * survives the process being killed.
 *
 * Lines appended in one event-loop turn are joined and written together at
 * the end of the turn (from a setImmediate callback) by one synchronous
 * write. A busy capture server thus makes one system call for many
 * records, with no round trip through libuv's thread pool per write, which
 * cost more main-thread time than the write itself in a profile of `listen`
 * under 50 connections.
 *
 * NOTE: the synchronous write blocks the event loop while it runs, which
 * is short on a local disk but could be long on a slow network file system.
 */
export class LogWriter {
  readonly path: string;
  readonly #fd: number;
  #lines: string[] = [];
  #appends: PendingAppend[] = [];
  #scheduled = false;
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /**
   * Opens (or creates) the log for appending. Fails now, with the path in
   * the message, when the file cannot be written. A file whose last line
   * was cut off, as by a killed process, first gets a line break, so that
   * the next record starts a line of its own.
   */
  static open(path: string): LogWriter {
    try {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, 'a');
      try {
        endTornLine(path, fd);
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      return new LogWriter(path, fd);
    } catch (error) {
      throw new PllayError(
        'E_LOG_UNWRITABLE',
        `cannot write the log file ${path}: ${(error as Error).message}`,
        {
          category: 'filesystem',
          exitCode: ExitCode.usage,
          hint: 'choose a writable path with --log FILE',
          cause: error,
        },
      );
    }
  }

  /** Appends one record as one line. */
  append(record: object): Promise<void> {
    return this.appendLine(JSON.stringify(record));
  }

  /** Appends one line that is already serialised JSON. Rejects with E_LOG_WRITE_FAILED. */
  appendLine(line: string): Promise<void> {
    if (this.#failure) {
      return Promise.reject(writeFailed(this.path, this.#failure));
    }
    if (this.#closed) {
      return Promise.reject(new Error(`the log file ${this.path} is closed`));
    }

    return new Promise((resolve, reject) => {
      this.#lines.push(line);
      this.#appends.push({ resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#writePending());
      }
    });
  }

  /** Writes pending lines, then closes the file. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#writePending();
      close(this.#fd, () => resolve());
    });
    return this.#closed;
  }

  /** Writes every pending line in one call, then settles their appends. */
  #writePending(): void {
    this.#scheduled = false;
    if (this.#appends.length === 0) {
      return;
    }

    const text = Buffer.from(`${this.#lines.join('\n')}\n`);
    const appends = this.#appends;
    this.#lines = [];
    this.#appends = [];

    if (this.#failure === undefined) {
      try {
        writeFully(this.#fd, text);
      } catch (error) {
        this.#failure = error as Error;
      }
    }
    if (this.#failure === undefined) {
      appends.forEach((append) => append.resolve());
    } else {
      const failure = writeFailed(this.path, this.#failure);
      appends.forEach((append) => append.reject(failure));
    }
  }
}

/** Writes all of `bytes`, continuing after a short write. */
function writeFully(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    offset += writeSync(fd, bytes, offset, bytes.length - offset);
  }
}

function writeFailed(path: string, error: Error): PllayError {
  return new PllayError('E_LOG_WRITE_FAILED', `cannot write to the log file ${path}: ${error.message}`, {
    category: 'filesystem',
    exitCode: ExitCode.usage,
    hint: 'free space on the disk or choose another path; the records before this one were written',
    cause: error,
  });
}

/** Appends a line break to a file that does not end with one. */
function endTornLine(path: string, fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) {
    return;
  }

  const last = Buffer.alloc(1);
  const reader = openSync(path, 'r');
  try {
    readSync(reader, last, 0, 1, size - 1);
  } finally {
    closeSync(reader);
  }
  if (last[0] !== 0x0a) {
    writeSync(fd, '\n');
  }
}
