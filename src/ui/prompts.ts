import { EVENT_GROUP_TITLES, EVENT_TYPES, type EventGroup } from '../events/catalog.js';

/** The streams a prompt reads from and writes to, and the environment that decides whether to ask. */
export interface PromptTerminal {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
}

/** True when a CI service runs the command: `CI` is set to anything but an empty string, `0` or `false`. */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * True when a person can answer a question: stdin and stdout are both
 * terminals and no CI service runs the command. Commands never prompt
 * otherwise, so a script never waits for input.
 */
export function canPrompt(terminal: PromptTerminal): boolean {
  return terminal.stdin.isTTY === true && terminal.stdout.isTTY === true && !isCI(terminal.env);
}

function streams(terminal: PromptTerminal): { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } {
  return { input: terminal.stdin, output: terminal.stdout };
}

/** Asks for one event type from a list of the 13, grouped by kind. */
export async function promptEventType(terminal: PromptTerminal, message: string): Promise<string> {
  const { select, Separator } = await import('@inquirer/prompts');

  const choices: Array<InstanceType<typeof Separator> | { name: string; value: string; description: string }> = [];
  let group: EventGroup | undefined;
  for (const info of EVENT_TYPES) {
    if (info.group !== group) {
      group = info.group;
      choices.push(new Separator(`── ${EVENT_GROUP_TITLES[group]}`));
    }
    choices.push({ name: info.type, value: info.type, description: info.description });
  }

  return select({ message, choices, pageSize: choices.length, loop: false }, streams(terminal));
}

export async function promptText(
  terminal: PromptTerminal,
  options: { message: string; default: string; validate?: (value: string) => true | string },
): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  return input(
    { message: options.message, default: options.default, ...(options.validate ? { validate: options.validate } : {}) },
    streams(terminal),
  );
}

export async function promptSecretText(terminal: PromptTerminal, message: string): Promise<string> {
  const { password } = await import('@inquirer/prompts');
  return password({ message, mask: '*', validate: (value) => (value.trim() === '' ? 'enter the secret' : true) }, streams(terminal));
}

export async function promptChoice<Value extends string>(
  terminal: PromptTerminal,
  options: { message: string; choices: ReadonlyArray<{ name: string; value: Value; description?: string }> },
): Promise<Value> {
  const { select } = await import('@inquirer/prompts');
  return select({ message: options.message, choices: [...options.choices] }, streams(terminal));
}

export async function promptConfirm(terminal: PromptTerminal, options: { message: string; default: boolean }): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: options.message, default: options.default }, streams(terminal));
}

/** True for the error a prompt throws when the user presses Ctrl-C or the terminal closes. */
export function isPromptCancelled(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}
