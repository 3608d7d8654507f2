import { Chalk, supportsColor, type ChalkInstance } from 'chalk';

/** Size, in characters, at which batched stdout text is written without waiting for the turn to end. */
const BATCH_LIMIT = 64 * 1024;

export interface OutputOptions {
  json?: boolean;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

/**
 * Where a command writes: results to stdout (human text or NDJSON with
 * `--json`), diagnostics to stderr. Colour only on a terminal, never with
 * `NO_COLOR` or `--no-color`, and forced on by `FORCE_COLOR`.
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly style: ChalkInstance;
  readonly errorStyle: ChalkInstance;
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Text held for stdout while batching, else undefined. */
  #batch: string | undefined;
  #flushScheduled = false;
  readonly #flushOnExit = (): void => this.flush();

  constructor(options: OutputOptions = {}) {
    const env = options.env ?? process.env;
    const stdout = options.stdout ?? process.stdout;
    const stderr = options.stderr ?? process.stderr;

    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.style = new Chalk({ level: colorLevel(options.color, env, stdout.isTTY === true) });
    this.errorStyle = new Chalk({ level: colorLevel(options.color, env, stderr.isTTY === true) });
  }

  /**
   * The diagnostics stream, for displays such as a progress bar that redraw in place. Batched
   * stdout text is written first, so that it comes before what the caller writes here.
   */
  get stderr(): NodeJS.WritableStream & { isTTY?: boolean } {
    this.flush();
    return this.#stderr;
  }

  /**
   * Runs `work` while stdout text is batched: the text written in one event-loop turn goes out
   * in one write, from a setImmediate callback, instead of one write per line. The batch is
   * also written before each message that this Output writes to stderr, when it reaches
   * BATCH_LIMIT characters, when `work` settles (so before the caller prints an error that it
   * throws), and on process exit. So stdout keeps its order, and a line printed before such a
   * stderr message still comes before it.
   */
  async batched<T>(work: () => Promise<T>): Promise<T> {
    if (this.#batch !== undefined) {
      return work();
    }

    this.#batch = '';
    process.once('exit', this.#flushOnExit);
    try {
      return await work();
    } finally {
      this.flush();
      this.#batch = undefined;
      process.off('exit', this.#flushOnExit);
    }
  }

  /** Writes the batched stdout text now. */
  flush(): void {
    if (this.#batch) {
      const text = this.#batch;
      this.#batch = '';
      this.#stdout.write(text);
    }
  }

  /** Writes a line of human output to stdout, unless `--quiet` or `--json`. */
  line(text = ''): void {
    if (!this.quiet && !this.json) {
      this.#write(`${text}\n`);
    }
  }

  /** Writes a line that is the command's result, shown even with `--quiet`. */
  result(text: string): void {
    if (!this.json) {
      this.#write(`${text}\n`);
    }
  }

  /** Writes one JSON value as one line to stdout, only with `--json`. */
  data(value: unknown): void {
    if (this.json) {
      this.#write(`${JSON.stringify(value)}\n`);
    }
  }

  /** Writes text to stdout whatever the mode, for commands whose output is the data itself. */
  raw(text: string): void {
    this.#write(text);
  }

  /** Writes a diagnostic to stderr. Warnings show even with `--quiet`. */
  warn(text: string): void {
    this.flush();
    this.#stderr.write(`${this.errorStyle.yellow('warning:')} ${text}\n`);
  }

  /** Writes a note to stderr, unless `--quiet`. */
  info(text: string): void {
    if (!this.quiet) {
      this.flush();
      this.#stderr.write(`${text}\n`);
    }
  }

  /** Writes a trace line to stderr with `--verbose` only. */
  debug(text: string): void {
    if (this.verbose) {
      this.flush();
      this.#stderr.write(`${this.errorStyle.dim(`debug: ${text}`)}\n`);
    }
  }

  /** Writes an error message to stderr, even with `--quiet`. */
  error(text: string): void {
    this.flush();
    this.#stderr.write(`${text}\n`);
  }

  #write(text: string): void {
    if (this.#batch === undefined) {
      this.#stdout.write(text);
      return;
    }

    this.#batch += text;
    if (this.#batch.length >= BATCH_LIMIT) {
      this.flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        this.flush();
      });
    }
  }
}

function colorLevel(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 | 2 | 3 {
  if (flag === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) {
    return 0;
  }

  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') {
      return 0;
    }
    const level = Number(force);
    return level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1;
  }

  if (!isTTY || env.TERM === 'dumb') {
    return 0;
  }
  return supportsColor ? supportsColor.level : 1;
}
