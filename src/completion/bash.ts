import { choiceOptions, optionNames, valueOptionNames, type CompletionSpec } from './spec.js';

/**
 * Writes a bash completion script. The function finds the command among
 * the words typed so far (skipping options and their values), then offers
 * options, commands, event types, shells, file names, the values of an
 * option with a fixed list, or the profiles of the config file. A value
 * typed as `--option=value` is completed like `--option value`, whether or
 * not bash splits the word at `=`.
 */
export function bashScript(spec: CompletionSpec): string {
  const name = functionName(spec.program);
  const globalValues = valueOptionNames(spec.globalOptions);
  const globalFiles = optionNames(spec.globalOptions, 'file');
  const allOptions = [spec.globalOptions, ...spec.commands.map((command) => command.options)];
  const profileOptions = allOptions.flatMap((options) => optionNames(options, 'profile'));
  const typeOptions = allOptions.flatMap((options) => optionNames(options, 'event-type'));
  const choiceCases = [
    ...choiceOptions(spec.globalOptions).map((option) => ({ pattern: '*', ...option })),
    ...spec.commands.flatMap((command) => choiceOptions(command.options).map((option) => ({ pattern: command.name, ...option }))),
  ].map(({ pattern, names, choices }) => `    ${pattern}:${names.join(`|${pattern}:`)}) echo ${quote(choices.join(' '))} ;;`);

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

# The values of an option with a fixed list: $1 is the command, $2 the option.
${name}_choices() {
  case "$1:$2" in
${choiceCases.join('\n')}
  esac
}

# The profile names of the config file, from the program itself; $2 is the
# file given with --config, if any.
${name}_profiles() {
  local program="$1" config="\${2/#\~/$HOME}"
  if [[ -n "$config" ]]; then
    "$program" --config "$config" config --profiles 2>/dev/null
  else
    "$program" config --profiles 2>/dev/null
  fi
}

${name}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local prefix=""
  local commands=${quote(spec.commands.map((command) => command.name).join(' '))}
  local types=${quote(spec.eventTypes.map((info) => info.type).join(' '))}
  local global_options=${quote(optionNames(spec.globalOptions).join(' '))}
  local global_values=${quote(globalValues.join(' '))}
  local global_files=${quote(globalFiles.join(' '))}
  local profile_options=${quote(profileOptions.join(' '))}
  local type_options=${quote(typeOptions.join(' '))}
  local command="" config="" word next i

  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    next="\${COMP_WORDS[i+1]}"
    [[ "$next" == "=" ]] && next="\${COMP_WORDS[i+2]}"
    case "$word" in
      -c | --config) config="$next" ;;
      --config=*) config="\${word#*=}" ;;
    esac
    if [[ "$word" == "=" ]]; then
      ((i++))
    elif [[ " $global_values $(${name}_value_options "$command") " == *" $word "* ]]; then
      [[ "\${COMP_WORDS[i+1]}" != "=" ]] && ((i++))
    elif [[ "$word" != -* && -z "$command" ]]; then
      command="$word"
    fi
  done

  # bash splits --option=value into three words when = is in COMP_WORDBREAKS.
  if [[ "$cur" == "=" ]]; then
    cur=""
  elif [[ "$prev" == "=" ]]; then
    prev="\${COMP_WORDS[COMP_CWORD-2]}"
  elif [[ "$cur" == --*=* ]]; then
    prev="\${cur%%=*}"
    prefix="$prev="
    cur="\${cur#*=}"
  fi

  COMPREPLY=()
  if [[ " $global_values $(${name}_value_options "$command") " == *" $prev "* ]]; then
    if [[ " $global_files $(${name}_file_options "$command") " == *" $prev "* ]]; then
      COMPREPLY=($(compgen -f -- "$cur"))
    elif [[ " $profile_options " == *" $prev "* ]]; then
      # One name per line, so that a name with a space stays whole, escaped for the command line.
      local IFS=$'\n' profile
      for profile in $(compgen -W "$(${name}_profiles "\${COMP_WORDS[0]}" "$config")" -- "$cur"); do
        COMPREPLY+=("$(printf '%q' "$profile")")
      done
    elif [[ " $type_options " == *" $prev "* ]]; then
      # A list such as kyc.started,pay: complete the part after the last comma.
      [[ "$cur" == *,* ]] && prefix+="\${cur%,*},"
      COMPREPLY=($(compgen -W "$types" -- "\${cur##*,}"))
    else
      COMPREPLY=($(compgen -W "$(${name}_choices "$command" "$prev")" -- "$cur"))
    fi
    COMPREPLY=("\${COMPREPLY[@]/#/$prefix}")
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
