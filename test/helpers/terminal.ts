import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { BIN, cliEnv } from './cli.js';
import { tempDir } from './temp.js';

const run = promisify(execFile);

/** The built CLI running in a real pseudo-terminal under tmux, as a person at a terminal runs it. */
export interface Terminal {
  /** The text on the screen now. */
  screen(): Promise<string>;
  /** Resolves with the screen once it matches, polling every 100 ms; 20 s at most by default. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Types text as it is. */
  type(text: string): Promise<void>;
  /** Presses keys by tmux name, such as Enter, Down or C-c. */
  press(...keys: string[]): Promise<void>;
  /** Resolves with the exit code once the command has ended. */
  exitCode(timeoutMs?: number): Promise<number>;
  /** Stops the tmux server of this terminal and everything in it. */
  close(): Promise<void>;
}

export interface TerminalOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Program to run in place of the built CLI, such as `['zsh', '-f']`; `args` follow it. */
  program?: string[];
}

/**
 * Starts `pllay-hooks ARGS` (or another program) in a new tmux server of its own (its socket in
 * a temporary folder), with CI unset so that the CLI may prompt. After the
 * command ends, the pane prints `[exit N]` and stays open to be read.
 */
export async function startTerminal(args: string[], options: TerminalOptions): Promise<Terminal> {
  const folder = tempDir();
  const socket = join(folder.path, 'tmux.sock');
  const env = cliEnv({ CI: undefined, TMUX: undefined, TERM: 'xterm-256color', ...options.env });
  const program = options.program ?? [process.execPath, BIN];
  const command = `${[...program, ...args].map(shellQuote).join(' ')}; echo "[exit $?]"; sleep 600`;

  const tmux = (...tmuxArgs: string[]): Promise<{ stdout: string }> =>
    run('tmux', ['-S', socket, '-f', '/dev/null', ...tmuxArgs], { env, cwd: options.cwd });

  await tmux('new-session', '-d', '-s', 'cli', '-x', '120', '-y', '50', '-c', options.cwd, command);

  const screen = async (): Promise<string> => (await tmux('capture-pane', '-p', '-t', 'cli')).stdout;
  const waitFor = async (pattern: RegExp, timeoutMs = 20_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    let text = await screen();
    while (!pattern.test(text)) {
      if (Date.now() > deadline) {
        throw new Error(`the screen did not show ${pattern} within ${timeoutMs} ms; it shows:\n${text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await screen();
    }
    return text;
  };

  return {
    screen,
    waitFor,
    type: async (text) => {
      await tmux('send-keys', '-t', 'cli', '-l', text);
    },
    press: async (...keys) => {
      for (const key of keys) {
        await tmux('send-keys', '-t', 'cli', key);
      }
    },
    exitCode: async (timeoutMs) => {
      const text = await waitFor(/\[exit \d+\]/, timeoutMs);
      return Number(/\[exit (\d+)\]/.exec(text)![1]);
    },
    close: async () => {
      await tmux('kill-server').catch(() => undefined);
      folder.remove();
    },
  };
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
