import type { Command } from 'commander';

import { Output } from '../ui/output.js';

/** What every command receives from the program: streams, environment and the exit code to set. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  exitCode: number;
}

export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  config?: string;
  profile?: string;
}

/** Builds the output of a command from the global flags, wherever on the line they were given. */
export function createOutput(context: CliContext, command: Command): Output {
  const options = command.optsWithGlobals<GlobalOptions>();

  return new Output({
    json: options.json === true,
    quiet: options.quiet === true,
    verbose: options.verbose === true,
    ...(options.color === false ? { color: false } : {}),
    stdout: context.stdout,
    stderr: context.stderr,
    env: context.env,
  });
}
