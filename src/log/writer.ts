import { mkdirSync, openSync, closeSync, createWriteStream, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

import { PllayError, ExitCode } from '../errors.js';

/**
 * Appends NDJSON records to a file. `append` resolves once the line has
 * been written to the file descriptor, so a record that was acknowledged
 * survives the process being killed.
 */
export class LogWriter {
  readonly path: string;
  #stream: WriteStream;
  #failure: Error | undefined;

  private constructor(path: string, stream: WriteStream) {
    this.path = path;
    this.#stream = stream;
    this.#stream.on('error', (error) => {
      this.#failure = error;
    });
  }

  /**
   * Opens (or creates) the log for appending. Fails now, with the path in
   * the message, when the file cannot be written.
   */
  static open(path: string): LogWriter {
    try {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, 'a');
      closeSync(fd);
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

    return new LogWriter(path, createWriteStream(path, { flags: 'a' }));
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

    return new Promise((resolve, reject) => {
      this.#stream.write(`${line}\n`, (error) => (error ? reject(writeFailed(this.path, error)) : resolve()));
    });
  }

  /** Flushes pending lines and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stream.closed) {
        resolve();
        return;
      }
      this.#stream.end(() => resolve());
    });
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
