import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { startTerminal, type Terminal } from '../helpers/terminal.js';

const scripts: Record<string, string> = {};
const folder = tempDir();

beforeAll(async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await runCli(['completion', shell]);
    expect(result.code).toBe(0);
    scripts[shell] = join(folder.path, `pllay-hooks.${shell}`);
    writeFileSync(scripts[shell]!, result.stdout);
  }
});

const terminals: Terminal[] = [];

afterEach(async () => {
  await Promise.all(terminals.splice(0).map((terminal) => terminal.close()));
});

afterAll(() => folder.remove());

/** Runs the bash completion function on a command line, as bash does when Tab is pressed. */
function completeInBash(line: string): string[] {
  const program = [
    'source "$1"',
    'read -ra COMP_WORDS <<< "$2"',
    '[[ "$2" == *" " ]] && COMP_WORDS+=("")',
    'COMP_CWORD=$((${#COMP_WORDS[@]} - 1))',
    '_pllay_hooks',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const output = execFileSync('bash', ['-c', program, 'bash', scripts.bash!, line], { encoding: 'utf8', cwd: folder.path });
  return output.split('\n').filter((word) => word !== '');
}

describe('bash completion', () => {
  it('completes event types after send', () => {
    expect(completeInBash('pllay-hooks send payment.')).toEqual([
      'payment.created',
      'payment.succeeded',
      'payment.failed',
      'payment.refunded',
    ]);
  });

  it('completes every type after generate', () => {
    expect(completeInBash('pllay-hooks --json generate ')).toHaveLength(13);
  });

  it('completes commands', () => {
    expect(completeInBash('pllay-hooks c')).toEqual(['check', 'config', 'completion']);
  });

  it('completes options of the command', () => {
    expect(completeInBash('pllay-hooks listen --p')).toEqual(['--profile', '--port', '--print-json']);
  });

  it('skips option values when finding the command', () => {
    expect(completeInBash('pllay-hooks --profile staging send kyc.s')).toEqual(['kyc.started']);
    expect(completeInBash('pllay-hooks send --to kyc')).toEqual([]);
  });

  it('completes shells', () => {
    expect(completeInBash('pllay-hooks completion ')).toEqual(['bash', 'zsh', 'fish']);
  });
});

describe('zsh completion', () => {
  it('registers with compinit', () => {
    const program = `autoload -U compinit && compinit -u -d "${join(folder.path, 'zcompdump')}" && source "$1" && print -r -- $_comps[pllay-hooks]`;

    const output = execFileSync('zsh', ['-f', '-c', program, 'zsh', scripts.zsh!], { encoding: 'utf8' });

    expect(output.trim()).toBe('_pllay_hooks');
  });

  it('completes in an interactive zsh', async () => {
    const shell = await startTerminal([], { cwd: folder.path, program: ['zsh', '-f'], env: { HOME: folder.path } });
    terminals.push(shell);
    const complete = async (line: string, expected: RegExp): Promise<void> => {
      await shell.type(line);
      await shell.press('Tab');
      await shell.waitFor(expected);
      await shell.press('C-u');
    };

    await shell.type(`autoload -U compinit && compinit -u -d ${join(folder.path, 'zcompdump-tty')} && source ${scripts.zsh!}`);
    await shell.press('Enter');
    await complete('pllay-hooks send payment.su', /pllay-hooks send payment\.succeeded/);
    await complete('pllay-hooks listen --po', /pllay-hooks listen --port/);
    await complete('pllay-hooks ver', /pllay-hooks verify/);
  });

  it('parses and lists the types', () => {
    execFileSync('zsh', ['-n', scripts.zsh!]);

    expect(readFileSync(scripts.zsh!, 'utf8')).toContain("'payment.succeeded:Payment completed successfully'");
  });
});

describe('fish completion', () => {
  function completeInFish(line: string): string[] {
    const output = execFileSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', scripts.fish!, line], { encoding: 'utf8' });
    return output.split('\n').filter((row) => row !== '').map((row) => row.split('\t')[0]!);
  }

  it('completes event types after send', () => {
    expect(completeInFish('pllay-hooks send payment.s')).toEqual(['payment.succeeded']);
  });

  it('completes commands and options', () => {
    expect(completeInFish('pllay-hooks ver')).toEqual(['verify']);
    expect(completeInFish('pllay-hooks verify --rec')).toEqual(['--record']);
  });
});
