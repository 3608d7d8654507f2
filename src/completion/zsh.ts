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
${spec.globalOptions.map((option) => `    ${optionSpec(option, name)}`).join('\n')}
  )

  _arguments -C $global_options '1: :->command' '*:: :->arguments' && return
  local config_file=\${opt_args[--config]:-\${opt_args[-c]}}

  case $state in
    command)
      _describe -t commands 'command' commands
      ;;
    arguments)
      case $line[1] in
${spec.commands.map((command) => commandCase(command, spec.shells, name)).join('\n')}
      esac
      ;;
  esac
}

# Event types separated by commas, such as kyc.started,payment.failed.
${name}_type_list() {
  _values -s , 'event type' \${types%%:*}
}

# The profile names of the config file, from the program itself. The file
# given with --config, before or after the command, is passed on.
${name}_profiles() {
  local config=\${(Q)\${opt_args[--config]:-\${opt_args[-c]:-$config_file}}}
  local -a profiles
  [[ "$config" == "~/"* ]] && config="$HOME/\${config#\\~/}"
  profiles=(\${(f)"$(${spec.program} \${config:+--config} \${config:+"$config"} config --profiles 2>/dev/null)"})
  _describe -t profiles 'profile' profiles
}

if [[ "\${funcstack[1]}" == "${name}" ]]; then
  ${name} "$@"
else
  compdef ${name} ${spec.program}
fi
`;
}

function commandCase(command: CommandSpec, shells: readonly string[], name: string): string {
  const specs = [...command.options.map((option) => optionSpec(option, name)), argumentSpec(command, shells)].filter((spec) => spec !== '');
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
const VALUE_ACTIONS: Record<OptionSpec['value'], string> = {
  none: '',
  file: ':file:_files',
  profile: ':profile:PROFILES',
  'event-type': ':event type:TYPES',
  text: ':value: ',
};

/**
 * Writes the `_arguments` spec of an option. A long option that takes a
 * value is written as `--name=`, so that zsh completes both `--name value`
 * and `--name=value`.
 */
function optionSpec(option: OptionSpec, name: string): string {
  const description = `[${escape(option.description)}]`;
  const value = option.choices
    ? `:value:(${option.choices.join(' ')})`
    : VALUE_ACTIONS[option.value].replace('PROFILES', `${name}_profiles`).replace('TYPES', `${name}_type_list`);
  const forms = option.names.map((form) => (option.value !== 'none' && form.startsWith('--') ? `${form}=` : form));
  if (forms.length === 1) {
    return quote(`${forms[0]}${description}${value}`);
  }
  return `${quote(`(${option.names.join(' ')})`)}{${forms.join(',')}}${quote(`${description}${value}`)}`;
}

/** Escapes the characters that end an `_arguments` description. */
function escape(text: string): string {
  return text.replace(/([[\]:\\])/g, '\\$1');
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
