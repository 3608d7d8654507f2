import { describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';

const COMMANDS = ['events', 'generate', 'send', 'listen', 'demo'];

describe('help', () => {
  it('shows the program help', async () => {
    const result = await runCli(['--help']);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Usage: pllay-hooks');
    for (const command of COMMANDS) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('documents the exit codes', async () => {
    const result = await runCli(['--help']);

    for (const code of ['0', '1', '2', '130']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    }
  });

  it.each(COMMANDS)('shows %s --help', async (command) => {
    const result = await runCli([command, '--help']);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Usage: pllay-hooks ${command}`);
    expect(result.stdout).toContain(`$ pllay-hooks ${command}`);
  });

  it.each(COMMANDS)('shows help %s', async (command) => {
    const result = await runCli(['help', command]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: pllay-hooks ${command}`);
  });

  it('rejects an unknown option', async () => {
    const result = await runCli(['send', '--bogus']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
    expect(result.stderr).toContain('pllay-hooks send --help');
  });

  it('suggests a misspelt command', async () => {
    const result = await runCli(['lisen']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('listen');
  });
});
