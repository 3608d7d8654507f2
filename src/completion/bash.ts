import { optionNames, valueOptionNames, type CompletionSpec } from './spec.js';

/**
 * Writes a bash completion script. The function finds the command among
 * the words typed so far (skipping options and their values), then offers
 * options, commands, event types, shells or file names.
 */
export function bashScript(spec: CompletionSpec): string {
  const name = functionName(spec.program);
  const globalValues = valueOptionNames(spec.globalOptions);
  const globalFiles = optionNames(spec.globalOptions, 'file');

  const cases = (pick: (command: CompletionSpec['commands'][number]) => string[]): string =>
    spec.commands.map((command) => `    ${command.name}) echo ${quote(pick(command).join(' '))} ;;`).join('\n');

  return `# bash completion for ${spec.program}. Load it with:
#   source <(${spec.program} completion bash)
# or save it as ~/.local/share/bash-completion/completions/${spec.program}

${name}_options() {
  case "$1" in
${cases((command) => optionNames(command.options))}
  esac
}

${name}_value_options() {
  case "$1" in
${cases((command) => valueOptionNames(command.options))}
  esac
}

${name}_file_options() {
  case "$1" in
${cases((command) => optionNames(command.options, 'file'))}
  esac
}

${name}_arguments() {
  case "$1" in
${spec.commands.map((command) => `    ${command.name}) echo ${quote(command.argument)} ;;`).join('\n')}
  esac
}

${name}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local commands=${quote(spec.commands.map((command) => command.name).join(' '))}
  local types=${quote(spec.eventTypes.map((info) => info.type).join(' '))}
  local global_options=${quote(optionNames(spec.globalOptions).join(' '))}
  local global_values=${quote(globalValues.join(' '))}
  local global_files=${quote(globalFiles.join(' '))}
  local command="" word i

  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [[ " $global_values $(${name}_value_options "$command") " == *" $word "* ]]; then
      ((i++))
    elif [[ "$word" != -* && -z "$command" ]]; then
      command="$word"
    fi
  done

  COMPREPLY=()
  if [[ " $global_files $(${name}_file_options "$command") " == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return
  fi
  if [[ " $global_values $(${name}_value_options "$command") " == *" $prev "* ]]; then
    return
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$global_options $(${name}_options "$command")" -- "$cur"))
    return
  fi
  if [[ -z "$command" ]]; then
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    return
  fi

  case "$(${name}_arguments "$command")" in
    event-types) COMPREPLY=($(compgen -W "$types" -- "$cur")) ;;
    shells) COMPREPLY=($(compgen -W ${quote(spec.shells.join(' '))} -- "$cur")) ;;
    files) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}

complete -F ${name} ${spec.program}
`;
}

export function functionName(program: string): string {
  return `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
