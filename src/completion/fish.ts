import type { CompletionSpec, OptionSpec } from './spec.js';

/** Writes a fish completion script: one `complete` line per command, option and event type. */
export function fishScript(spec: CompletionSpec): string {
  const program = spec.program;
  const commandNames = spec.commands.map((command) => command.name).join(' ');
  const lines = [
    `# fish completion for ${program}. Load it with:`,
    `#   ${program} completion fish | source`,
    `# or save it as ~/.config/fish/completions/${program}.fish`,
    '',
    `complete -c ${program} -f`,
    '',
    '# The profile names of the config file, from the program itself. The file',
    '# given with --config is passed on.',
    `function ${profilesFunction(program)}`,
    '    set -l tokens (commandline -opc)',
    '    set -l config',
    '    for i in (seq (count $tokens))',
    '        switch $tokens[$i]',
    '            case -c --config',
    '                set config --config (string replace -r -- \'^~/\' "$HOME/" $tokens[(math $i + 1)])',
    "            case '--config=*'",
    "                set config --config (string replace -r -- '^--config=' '' $tokens[$i] | string replace -r -- '^~/' \"$HOME/\")",
    '        end',
    '    end',
    `    ${program} $config config --profiles 2>/dev/null`,
    'end',
    '',
    `function ${typesFunction(program)}`,
    `    printf '%s\\n' ${spec.eventTypes.map((info) => info.type).join(' ')}`,
    'end',
    '',
    ...spec.globalOptions.map((option) => optionLine(program, option, undefined)),
  ];

  for (const command of spec.commands) {
    lines.push(`complete -c ${program} -n ${quote(`not __fish_seen_subcommand_from ${commandNames}`)} -a ${command.name} -d ${quote(command.description)}`);
    lines.push(...command.options.map((option) => optionLine(program, option, command.name)));

    const when = quote(`__fish_seen_subcommand_from ${command.name}`);
    if (command.argument === 'event-types') {
      lines.push(...spec.eventTypes.map((info) => `complete -c ${program} -n ${when} -a ${info.type} -d ${quote(info.description)}`));
    } else if (command.argument === 'shells') {
      lines.push(`complete -c ${program} -n ${when} -a ${quote(spec.shells.join(' '))}`);
    } else if (command.argument === 'files') {
      lines.push(`complete -c ${program} -n ${when} -F`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function optionLine(program: string, option: OptionSpec, command: string | undefined): string {
  const parts = [`complete -c ${program}`];
  if (command !== undefined) {
    parts.push(`-n ${quote(`__fish_seen_subcommand_from ${command}`)}`);
  }
  for (const name of option.names) {
    parts.push(name.startsWith('--') ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`);
  }
  if (option.choices) {
    parts.push(`-x -a ${quote(option.choices.join(' '))}`);
  } else if (option.value === 'profile') {
    parts.push(`-x -a ${quote(`(${profilesFunction(program)})`)}`);
  } else if (option.value === 'event-type') {
    parts.push(`-x -a ${quote(`(__fish_complete_list , ${typesFunction(program)})`)}`);
  } else if (option.value !== 'none') {
    parts.push(option.value === 'file' ? '-r -F' : '-r');
  }
  parts.push(`-d ${quote(option.description)}`);
  return parts.join(' ');
}

function typesFunction(program: string): string {
  return `__${program.replace(/[^A-Za-z0-9]/g, '_')}_types`;
}

function profilesFunction(program: string): string {
  return `__${program.replace(/[^A-Za-z0-9]/g, '_')}_profiles`;
}

function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
