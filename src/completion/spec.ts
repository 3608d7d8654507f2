/** What a completion script completes: commands, their options, and the values of some. */
export interface CompletionSpec {
  program: string;
  globalOptions: OptionSpec[];
  commands: CommandSpec[];
  eventTypes: ReadonlyArray<{ type: string; description: string }>;
  shells: readonly string[];
}

export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** What the positional arguments are. */
  argument: 'event-types' | 'shells' | 'files' | 'none';
}

export interface OptionSpec {
  /** Short and long forms, such as `['-c', '--config']`. */
  names: string[];
  description: string;
  /**
   * Kind of value the option takes: `none` for a switch, `file` for a path,
   * `event-type` for event types separated by commas, `text` for any other.
   * `profile` is a profile name of the config file, which the script reads
   * from `config --profiles`.
   */
  value: 'none' | 'file' | 'profile' | 'event-type' | 'text';
  /** The values allowed, when the option has a fixed list. */
  choices?: readonly string[];
}

/** Names of the options, long and short, that take a value of the kind given. */
export function optionNames(options: readonly OptionSpec[], value?: OptionSpec['value']): string[] {
  return options.filter((option) => value === undefined || option.value === value).flatMap((option) => option.names);
}

/** Names of the options that take any value. */
export function valueOptionNames(options: readonly OptionSpec[]): string[] {
  return options.filter((option) => option.value !== 'none').flatMap((option) => option.names);
}

/** Options with a fixed list of values, each with its list. */
export function choiceOptions(options: readonly OptionSpec[]): Array<{ names: string[]; choices: readonly string[] }> {
  return options.flatMap((option) => (option.choices === undefined ? [] : [{ names: option.names, choices: option.choices }]));
}
