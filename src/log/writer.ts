import { close, mkdirSync, openSync, write } from 'node:fs';
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
 * Lines appended while a write is in flight are joined and written
 * together by the next write (a group commit). A busy capture server thus
 * makes one system call for many records, and an idle one writes each
 * record at once.
 */
export class LogWriter {
  readonly path: string;
  readonly #fd: number;
  #lines: string[] = [];
  #appends: PendingAppend[] = [];
  #writing = false;
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /**
   * Opens (or creates) the log for appending. Fails now, with the path in
   * the message, when the file cannot be written.
   */
  static open(path: string): LogWriter {
    try {
      mkdirSync(dirname(path), { recursive: true });
      return new LogWriter(path, openSync(path, 'a'));
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
      if (!this.#writing) {
        this.#writePending();
      }
    });
  }

  /** Waits for pending lines to be written, then closes the file. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (this.#writing) {
        this.#drained = resolve;
      } else {
        resolve();
      }
    }).then(() => new Promise<void>((resolve) => close(this.#fd, () => resolve())));
    return this.#closed;
  }

  /** Writes every pending line in one call, then settles their appends. */
  #writePending(): void {
    const text = Buffer.from(`${this.#lines.join('\n')}\n`);
    const appends = this.#appends;
    this.#lines = [];
    this.#appends = [];
    this.#writing = true;

    writeFully(this.#fd, text, (error) => {
      if (error) {
        this.#failure = error;
        appends.forEach((append) => append.reject(writeFailed(this.path, error)));
      } else {
        appends.forEach((append) => append.resolve());
      }
      this.#afterWrite();
    });
  }

  #afterWrite(): void {
    this.#writing = false;

    if (this.#appends.length > 0 && this.#failure) {
      const failure = writeFailed(this.path, this.#failure);
      this.#appends.splice(0).forEach((append) => append.reject(failure));
      this.#lines = [];
    } else if (this.#appends.length > 0) {
      this.#writePending();
      return;
    }
    this.#drained?.();
  }
}

/** Writes all of `bytes`, continuing after a short write. */
function writeFully(fd: number, bytes: Buffer, done: (error: Error | null) => void): void {
  write(fd, bytes, 0, bytes.length, null, (error, written) => {
    if (error) {
      done(error);
    } else if (written < bytes.length) {
      writeFully(fd, bytes.subarray(written), done);
    } else {
      done(null);
    }
  });
}

function writeFailed(path: string, error: Error): PllayError {
  return new PllayError('E_LOG_WRITE_FAILED', `cannot write to the log file ${path}: ${error.message}`, {
    category: 'filesystem',
    exitCode: ExitCode.usage,
    hint: 'free space on the disk or choose another path; the records before this one were written',
    cause: error,
  });
}
