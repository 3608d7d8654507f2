import { PassThrough } from 'node:stream';

import { Help, type Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { commandName, COMMANDS, createProgram } from '../../src/cli.js';
import type { CliContext } from '../../src/commands/context.js';
import { COMMAND_DESCRIPTIONS } from '../../src/commands/descriptions.js';

function testContext(): CliContext {
  return {
    env: {},
    cwd: process.cwd(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    exitCode: 0,
  };
}

function listed(program: Command, name: string): Command {
  const command = program.commands.find((candidate) => candidate.name() === name);
  expect(command, `command ${name} in the program`).toBeDefined();
  return command!;
}

describe('command list', () => {
  it('names every command once', () => {
    const names = COMMANDS.map((entry) => entry.name);

    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(COMMAND_DESCRIPTIONS).sort());
  });

  it.each(COMMANDS.map((entry) => [entry.name, entry] as const))('matches the %s module', async (_name, entry) => {
    const real = (await entry.load())(testContext());
    const program = await createProgram(testContext(), []);
    const placeholder = listed(program, entry.name);
    const rootHelp = program.createHelp();

    expect(real.name()).toBe(entry.name);
    expect(real.description()).toBe(COMMAND_DESCRIPTIONS[entry.name]);
    expect(placeholder.description()).toBe(real.description());
    expect(new Help().subcommandTerm(real)).toBe(entry.term);
    expect(rootHelp.subcommandTerm(placeholder)).toBe(entry.term);
  });

  it('builds the named command only', async () => {
    const program = await createProgram(testContext(), ['send', '--help']);

    expect(listed(program, 'send').options.length).toBeGreaterThan(0);
    expect(listed(program, 'listen').options).toEqual([]);
  });

  it('builds every command for completion', async () => {
    const program = await createProgram(testContext(), ['completion', 'bash']);

    for (const entry of COMMANDS.filter((candidate) => candidate.term.includes('[options]'))) {
      expect(listed(program, entry.name).options.length, entry.name).toBeGreaterThan(0);
    }
  });
});

describe('commandName', () => {
  const cases: Array<[string[], string | undefined]> = [
    [[], undefined],
    [['--version'], undefined],
    [['--help'], undefined],
    [['send', 'payment.refunded'], 'send'],
    [['--json', '-q', 'listen'], 'listen'],
    [['-c', 'events', 'send'], 'send'],
    [['--config', 'events', 'send'], 'send'],
    [['--profile', 'ci', 'replay', 'log.ndjson'], 'replay'],
    [['--config=events', 'verify'], 'verify'],
    [['help', 'send'], 'send'],
    [['help', '--json', 'check'], 'check'],
    [['help'], undefined],
    [['--', 'demo'], 'demo'],
    [['sned'], 'sned'],
  ];

  it.each(cases)('finds the command in %j', async (args, expected) => {
    const program = await createProgram(testContext(), []);

    expect(commandName(program, args)).toBe(expected);
  });
});
