import { functionName } from './bash.js';
import type { CommandSpec, CompletionSpec, OptionSpec } from './spec.js';

/**
 * Writes a zsh completion script for `_arguments`. It works both from a
 * file in $fpath named `_pllay-hooks` and when sourced after compinit.
 */
export function zshScript(spec: CompletionSpec): string {
  const name = functionName(spec.program);
  const commandLines = spec.commands.map((command) => `    ${quote(`${command.name}:${command.description}`)}`).join('\n');
  const typeLines = spec.eventTypes.map((info) => `    ${quote(`${info.type}:${info.description}`)}`).join('\n');

  return `#compdef ${spec.program}
# zsh completion for ${spec.program}. Load it with:
#   source <(${spec.program} completion zsh)      (after compinit)
# or save it as _${spec.program} in a folder of $fpath

${name}() {
  local curcontext="$curcontext" state line
  local -a commands types global_options
  commands=(
${commandLines}
  )
  types=(
${typeLines}
  )
  global_options=(
${spec.globalOptions.map((option) => `    ${optionSpec(option)}`).join('\n')}
  )

  _arguments -C $global_options '1: :->command' '*:: :->arguments' && return

  case $state in
    command)
      _describe -t commands 'command' commands
      ;;
    arguments)
      case $line[1] in
${spec.commands.map((command) => commandCase(command, spec.shells)).join('\n')}
      esac
      ;;
  esac
}

if [[ "\${funcstack[1]}" == "${name}" ]]; then
  ${name} "$@"
else
  compdef ${name} ${spec.program}
fi
`;
}

function commandCase(command: CommandSpec, shells: readonly string[]): string {
  const specs = [...command.options.map(optionSpec), argumentSpec(command, shells)].filter((spec) => spec !== '');
  return `        ${command.name})\n          _arguments $global_options ${specs.join(' \\\n            ')}\n          ;;`;
}

function argumentSpec(command: CommandSpec, shells: readonly string[]): string {
  switch (command.argument) {
    case 'event-types':
      return quote("*:event type:{_describe -t types 'event type' types}");
    case 'shells':
      return quote(`1:shell:(${shells.join(' ')})`);
    case 'files':
      return quote('*:file:_files');
    case 'none':
      return '';
  }
}

/** The `_arguments` action for each kind of option value. */
const VALUE_ACTIONS: Record<OptionSpec['value'], string> = { none: '', file: ':file:_files', text: ':value: ' };

function optionSpec(option: OptionSpec): string {
  const description = `[${escape(option.description)}]`;
  const value = VALUE_ACTIONS[option.value];
  if (option.names.length === 1) {
    return quote(`${option.names[0]}${description}${value}`);
  }
  return `${quote(`(${option.names.join(' ')})`)}{${option.names.join(',')}}${quote(`${description}${value}`)}`;
}

/** Escapes the characters that end an `_arguments` description. */
function escape(text: string): string {
  return text.replace(/([[\]:\\])/g, '\\$1');
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
