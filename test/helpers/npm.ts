import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { delimiter, dirname } from 'node:path';

import type { CliResult } from './cli.js';

export interface CommandOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * Environment for npm, npx and the programs they start. The folder of the Node.js binary that
 * runs the tests comes first on PATH, so that npm and every `#!/usr/bin/env node` script run on
 * it too. The npm_* variables of an enclosing `npm test` are removed, because npm_config_* ones
 * such as npm_config_local_prefix would point the nested npm at this repository.
 */
export function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_')) {
      env[key] = value;
    }
  }
  delete env.FORCE_COLOR;
  delete env.PLLAY_WEBHOOK_SECRET;

  return {
    ...env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
    NO_COLOR: '1',
    CI: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

/** Runs a program with npmEnv() to completion and returns its exit code and output. */
export async function runCommand(
  command: string,
  args: string[],
  options: CommandOptions,
): Promise<CliResult> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: npmEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
