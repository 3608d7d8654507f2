import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { BIN, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { startTerminal, type Terminal } from '../helpers/terminal.js';

const scripts: Record<string, string> = {};
const folder = tempDir();

/** PATH with a `pllay-hooks` that runs the built CLI, which the scripts call for profile names. */
const path = [join(folder.path, 'bin'), process.env.PATH].join(delimiter);

beforeAll(async () => {
  mkdirSync(join(folder.path, 'bin'));
  writeFileSync(join(folder.path, 'bin', 'pllay-hooks'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(folder.path, 'bin', 'pllay-hooks'), 0o755);
  writeFileSync(join(folder.path, '.pllay-hooksrc.json'), JSON.stringify({ profiles: { staging: {}, 'prod-like': {}, 'team a': {} } }));
  mkdirSync(join(folder.path, 'ci'));
  writeFileSync(join(folder.path, 'ci', 'hooks.json'), JSON.stringify({ profiles: { nightly: {} } }));

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
  const output = execFileSync('bash', ['-c', program, 'bash', scripts.bash!, line], {
    encoding: 'utf8',
    cwd: folder.path,
    env: { ...process.env, PATH: path },
  });
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

  it('completes values from a fixed list', () => {
    expect(completeInBash('pllay-hooks replay --backoff ')).toEqual(['exponential', 'linear', 'constant']);
    expect(completeInBash('pllay-hooks replay --jitter f')).toEqual(['full']);
  });

  it('completes values after an equals sign', () => {
    // bash splits --backoff=li into three words when = is in COMP_WORDBREAKS, as by default.
    expect(completeInBash('pllay-hooks replay --backoff = li')).toEqual(['linear']);
    expect(completeInBash('pllay-hooks replay --backoff =')).toEqual(['exponential', 'linear', 'constant']);
    // Without = in COMP_WORDBREAKS the word stays whole, and so must the completion.
    expect(completeInBash('pllay-hooks replay --backoff=li')).toEqual(['--backoff=linear']);
    expect(completeInBash('pllay-hooks listen --log=c')).toEqual(['--log=ci']);
  });

  it('completes profile names', () => {
    expect(completeInBash('pllay-hooks --profile ')).toEqual(['staging', 'prod-like', 'team\\ a']);
    expect(completeInBash('pllay-hooks send --profile = st')).toEqual(['staging']);
  });

  it('reads profiles from --config', () => {
    expect(completeInBash('pllay-hooks -c ci/hooks.json send --profile ')).toEqual(['nightly']);
    expect(completeInBash('pllay-hooks --config = ci/hooks.json send --profile ')).toEqual(['nightly']);
  });

  it('completes lists of event types', () => {
    expect(completeInBash('pllay-hooks check --type kyc.started,kyc.f')).toEqual(['kyc.started,kyc.failed']);
    expect(completeInBash('pllay-hooks replay --type wager.cr')).toEqual(['wager.created']);
  });

  it('completes files of every file option', () => {
    expect(completeInBash('pllay-hooks replay --state c')).toEqual(['ci']);
    expect(completeInBash('pllay-hooks check --report c')).toEqual(['ci']);
  });

  it('skips values given after an equals sign', () => {
    expect(completeInBash('pllay-hooks --config = ci/hooks.json sen')).toEqual(['send']);
  });

  it('completes in an interactive bash', async () => {
    const shell = await startTerminal([], { cwd: folder.path, program: ['bash', '--norc', '--noprofile'], env: { HOME: folder.path, PATH: path } });
    terminals.push(shell);

    await shell.type(`source ${scripts.bash!}`);
    await shell.press('Enter');
    await shell.type('pllay-hooks replay --backoff=li');
    await shell.press('Tab');
    await shell.waitFor(/pllay-hooks replay --backoff=linear/);
    await shell.press('C-u');
    await shell.type('pllay-hooks --profile=st');
    await shell.press('Tab');
    await shell.waitFor(/pllay-hooks --profile=staging/);
  });
});

describe('zsh completion', () => {
  it('registers with compinit', () => {
    const program = `autoload -U compinit && compinit -u -d "${join(folder.path, 'zcompdump')}" && source "$1" && print -r -- $_comps[pllay-hooks]`;

    const output = execFileSync('zsh', ['-f', '-c', program, 'zsh', scripts.zsh!], { encoding: 'utf8' });

    expect(output.trim()).toBe('_pllay_hooks');
  });

  it('completes in an interactive zsh', async () => {
    const shell = await startTerminal([], { cwd: folder.path, program: ['zsh', '-f'], env: { HOME: folder.path, PATH: path } });
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
    await complete('pllay-hooks replay --backoff=li', /pllay-hooks replay --backoff=linear/);
    await complete('pllay-hooks --profile st', /pllay-hooks --profile staging/);
    await complete('pllay-hooks --config ci/hooks.json send --profile=n', /--profile=nightly/);
    await complete('pllay-hooks check --type kyc.started,kyc.f', /--type kyc\.started,kyc\.failed/);
    await complete('pllay-hooks send --config=ci/hooks.json --profile n', /--profile nightly/);
  });

  it('parses and lists the types', () => {
    execFileSync('zsh', ['-n', scripts.zsh!]);

    expect(readFileSync(scripts.zsh!, 'utf8')).toContain("'payment.succeeded:Payment completed successfully'");
  });
});

describe('fish completion', () => {
  function completeInFish(line: string): string[] {
    const output = execFileSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', scripts.fish!, line], {
      encoding: 'utf8',
      cwd: folder.path,
      env: { ...process.env, PATH: path, HOME: folder.path },
    });
    return output.split('\n').filter((row) => row !== '').map((row) => row.split('\t')[0]!);
  }

  it('completes event types after send', () => {
    expect(completeInFish('pllay-hooks send payment.s')).toEqual(['payment.succeeded']);
  });

  it('completes commands and options', () => {
    expect(completeInFish('pllay-hooks ver')).toEqual(['verify']);
    expect(completeInFish('pllay-hooks verify --rec')).toEqual(['--record']);
  });

  it('completes values from a fixed list', () => {
    expect(completeInFish('pllay-hooks replay --backoff=li')).toEqual(['--backoff=linear']);
    expect(completeInFish('pllay-hooks replay --jitter ')).toEqual(['equal', 'full', 'none']);
  });

  it('completes profile names', () => {
    expect(completeInFish('pllay-hooks --profile st')).toEqual(['staging']);
    expect(completeInFish('pllay-hooks --config=ci/hooks.json send --profile ')).toEqual(['nightly']);
    expect(completeInFish('pllay-hooks -c ci/hooks.json send --profile ')).toEqual(['nightly']);
    expect(completeInFish('pllay-hooks -c ~/ci/hooks.json send --profile ')).toEqual(['nightly']);
    expect(completeInFish('pllay-hooks --profile te')).toEqual(['team a']);
  });

  it('completes lists of event types', () => {
    expect(completeInFish('pllay-hooks check --type kyc.started,kyc.f')).toEqual(['kyc.started,kyc.failed']);
  });
});
