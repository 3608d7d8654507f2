import { Command, type Option } from 'commander';

import { completionScript, SHELLS, type CommandSpec, type CompletionSpec, type OptionSpec, type Shell } from '../completion/index.js';
import { UsageError } from '../errors.js';
import { EVENT_TYPES } from '../events/catalog.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

/** Value names in option flags, such as `<file>`, that stand for a file path. */
const FILE_VALUE = /<(file|path|log)>/;

/** Kind of completion for each positional argument name. */
const ARGUMENT_KINDS: Record<string, CommandSpec['argument']> = { type: 'event-types', shell: 'shells', log: 'files' };

export function completionCommand(context: CliContext): Command {
  return new Command('completion')
    .description(COMMAND_DESCRIPTIONS.completion)
    .argument('<shell>', `shell to complete in: ${SHELLS.join(', ')}`)
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ source <(pllay-hooks completion bash)            # in ~/.bashrc',
      '  $ source <(pllay-hooks completion zsh)             # in ~/.zshrc, after compinit',
      '  $ pllay-hooks completion fish > ~/.config/fish/completions/pllay-hooks.fish',
    ].join('\n'))
    .action((shell: string, _flags, command: Command) => {
      const output = createOutput(context, command);
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new UsageError('E_UNKNOWN_SHELL', `unknown shell "${shell}"`, `choose one of: ${SHELLS.join(', ')}`);
      }

      const script = completionScript(shell as Shell, completionSpec(command.parent!));
      if (output.json) {
        output.data({ shell, script });
      } else {
        output.raw(script);
      }
    });
}

/** Describes the program's commands and options for the completion scripts. */
export function completionSpec(program: Command): CompletionSpec {
  return {
    program: program.name(),
    globalOptions: [...program.options.map(optionSpec), { names: ['-h', '--help'], description: 'show help', value: 'none' }],
    commands: program.commands.map((command) => ({
      name: command.name(),
      description: command.description(),
      options: command.options.map(optionSpec),
      argument: ARGUMENT_KINDS[command.registeredArguments[0]?.name() ?? ''] ?? 'none',
    })),
    eventTypes: EVENT_TYPES,
    shells: SHELLS,
  };
}

function optionSpec(option: Option): OptionSpec {
  const names = [option.short, option.long].filter((name): name is string => name !== undefined);
  return {
    names,
    description: option.description,
    value: valueKind(option),
    ...(option.argChoices ? { choices: option.argChoices } : {}),
  };
}

function valueKind(option: Option): OptionSpec['value'] {
  if (!option.required && !option.optional) {
    return 'none';
  }
  if (option.long === '--profile') {
    return 'profile';
  }
  if (option.long === '--type') {
    return 'event-type';
  }
  return FILE_VALUE.test(option.flags) ? 'file' : 'text';
}
