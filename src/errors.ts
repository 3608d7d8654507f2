/** Exit codes of the command line. Scripts depend on these values. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  interrupted: 130,
} as const;

export type ErrorCategory =
  | 'usage'
  | 'config'
  | 'filesystem'
  | 'network'
  | 'signature'
  | 'internal';

/**
 * Base error of pllay-hooks. `code` is stable and documented in
 * docs/errors.md; match on it, not on the message.
 */
export class PllayError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: {
      category: ErrorCategory;
      exitCode?: number;
      hint?: string;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = 'PllayError';
    this.code = code;
    this.category = options.category;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.hint = options.hint;
  }
}

/** Invalid command-line input: exits 2. */
export class UsageError extends PllayError {
  constructor(code: string, message: string, hint?: string) {
    super(code, message, {
      category: 'usage',
      exitCode: ExitCode.usage,
      ...(hint === undefined ? {} : { hint }),
    });
    this.name = 'UsageError';
  }
}

/** A file that cannot be read or parsed: exits 2. */
export class InputFileError extends PllayError {
  readonly path: string;

  constructor(code: string, path: string, message: string, cause?: unknown, hint?: string) {
    super(code, message, {
      category: 'filesystem',
      exitCode: ExitCode.usage,
      cause,
      ...(hint === undefined ? {} : { hint }),
    });
    this.name = 'InputFileError';
    this.path = path;
  }
}

/** A config file or environment variable with an invalid value: exits 2. */
export class ConfigError extends PllayError {
  /** Config file or environment variable the bad value came from. */
  readonly source: string;

  constructor(code: string, source: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, {
      category: 'config',
      exitCode: ExitCode.usage,
      ...options,
    });
    this.name = 'ConfigError';
    this.source = source;
  }
}
