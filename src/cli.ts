import { Command, CommanderError, Help, Option } from 'commander';

import type { CliContext } from './commands/context.js';
import { COMMAND_DESCRIPTIONS, type CommandName } from './commands/descriptions.js';
import { ExitCode, PllayError } from './errors.js';
import { isPromptCancelled } from './ui/prompts.js';
import { VERSION } from './version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    a delivery, check or verification failed
  2    invalid usage or config: unknown event type, bad flag, unreadable file
  130  interrupted`;

/** A command as the program lists it, and the import of the module that builds it. */
export interface CommandEntry {
  name: CommandName;
  /** The command's line in the program's command list, as commander writes it for the real command. */
  term: string;
  load: () => Promise<(context: CliContext) => Command>;
}

/**
 * Every command, in the order of the help. Starting a command imports its module alone, so that
 * `--version`, `--help` and a short command skip the modules of all the others.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'events', term: 'events', load: async () => (await import('./commands/events.js')).eventsCommand },
  { name: 'generate', term: 'generate [options] [type]', load: async () => (await import('./commands/generate.js')).generateCommand },
  { name: 'send', term: 'send [options] [type...]', load: async () => (await import('./commands/send.js')).sendCommand },
  { name: 'listen', term: 'listen [options]', load: async () => (await import('./commands/listen.js')).listenCommand },
  { name: 'replay', term: 'replay [options] <log...>', load: async () => (await import('./commands/replay.js')).replayCommand },
  { name: 'verify', term: 'verify [options]', load: async () => (await import('./commands/verify.js')).verifyCommand },
  { name: 'check', term: 'check [options]', load: async () => (await import('./commands/check.js')).checkCommand },
  { name: 'demo', term: 'demo', load: async () => (await import('./commands/demo.js')).demoCommand },
  { name: 'init', term: 'init [options]', load: async () => (await import('./commands/init.js')).initCommand },
  { name: 'config', term: 'config [options]', load: async () => (await import('./commands/config.js')).configCommand },
  { name: 'completion', term: 'completion <shell>', load: async () => (await import('./commands/completion.js')).completionCommand },
];

/** Terms of the placeholder commands, which have neither the options nor the arguments to show. */
const PLACEHOLDER_TERMS = new WeakMap<Command, string>();

/**
 * Builds the program. The command that `args` names is built from its module, and every other
 * command is a placeholder with its name and description, enough for the command list, `help`
 * and the suggestions for a misspelt command. `completion` needs every option of every command,
 * so it loads all modules.
 */
export async function createProgram(context: CliContext, args: readonly string[] = []): Promise<Command> {
  const program = new Command('pllay-hooks')
    .description('Send, capture, verify and replay signed PLLAY webhooks on your own machine.')
    .version(VERSION, '-V, --version', 'print the version')
    .addOption(new Option('--json', 'machine output: JSON on stdout, one object per line'))
    .addOption(new Option('-q, --quiet', 'print only results and errors'))
    .addOption(new Option('--verbose', 'print debug details to stderr'))
    .addOption(new Option('--no-color', 'plain output without colour (also: NO_COLOR=1)'))
    .addOption(new Option('-c, --config <file>', 'config file to use instead of searching for one (also: PLLAY_HOOKS_CONFIG)'))
    .addOption(new Option('--profile <name>', 'named profile of the config file to apply (also: PLLAY_HOOKS_PROFILE)'))
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .configureHelp({ subcommandTerm: (command) => PLACEHOLDER_TERMS.get(command) ?? new Help().subcommandTerm(command) })
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();

  const named = commandName(program, args);
  const commands = await Promise.all(
    COMMANDS.map(async (entry) => {
      const load = named === 'completion' || named === entry.name;
      return load ? (await entry.load())(context) : placeholder(entry);
    }),
  );

  for (const command of commands) {
    program.addCommand(command);
    command.configureHelp({ showGlobalOptions: true });
    command.showHelpAfterError(`(see: pllay-hooks ${command.name()} --help)`);
    command.configureOutput(program.configureOutput());
    command.exitOverride();
  }
  return program;
}

function placeholder(entry: CommandEntry): Command {
  const command = new Command(entry.name).description(COMMAND_DESCRIPTIONS[entry.name]);
  PLACEHOLDER_TERMS.set(command, entry.term);
  return command;
}

/**
 * Finds the command that the arguments (without the node and script paths) name: the first
 * operand, skipping the program's options and their values. For `help <command>` it is the
 * command after `help`.
 */
export function commandName(program: Command, args: readonly string[]): string | undefined {
  const optionsWithValue = new Set(
    program.options
      .filter((option) => option.required || option.optional)
      .flatMap((option) => [option.short, option.long])
      .filter((flag): flag is string => flag !== undefined),
  );

  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--') {
      return args[index + 1];
    }
    if (optionsWithValue.has(arg)) {
      index += 1;
    } else if (!arg.startsWith('-')) {
      return arg === 'help' ? commandName(program, args.slice(index + 1)) : arg;
    }
  }
  return undefined;
}

/** Runs the command line and returns the exit code. Errors are printed here, once. */
export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  try {
    const program = await createProgram(context, argv.slice(2));
    await program.parseAsync(argv);
    return context.exitCode;
  } catch (error) {
    return reportError(error, context);
  }
}

function reportError(error: unknown, context: CliContext): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its own message.
    const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    return done.includes(error.code) ? ExitCode.ok : ExitCode.usage;
  }

  if (isPromptCancelled(error)) {
    context.stderr.write('cancelled\n');
    return ExitCode.interrupted;
  }

  if (error instanceof PllayError) {
    context.stderr.write(`error: ${error.message} [${error.code}]\n`);
    if (error.hint) {
      context.stderr.write(`  ${error.hint}\n`);
    }
    if (context.env.DEBUG?.includes('pllay')) {
      context.stderr.write(`${error.stack}\n`);
    }
    return error.exitCode;
  }

  context.stderr.write(`internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  context.stderr.write('  this is a bug in pllay-hooks; please report it with the command you ran\n');
  return ExitCode.failure;
}

/**
 * Builds the context of a run from the process. Node.js creates `process.stdout`, `stderr` and
 * `stdin` on first access, and creating one loads stream modules (`net` for a pipe or a terminal),
 * so each is created when a command first uses it: `--version` and `--help` touch only stdout.
 */
function processContext(): CliContext {
  return {
    env: process.env,
    cwd: process.cwd(),
    get stdout() {
      return withBrokenPipeDropped(process.stdout);
    },
    get stderr() {
      return withBrokenPipeDropped(process.stderr);
    },
    get stdin() {
      return process.stdin;
    },
    exitCode: ExitCode.ok,
  };
}

const guardedStreams = new WeakSet<NodeJS.WriteStream>();

/**
 * Adds the EPIPE handler to a stream once. A reader that stops early, such as `| head -1`, closes
 * the pipe. The rest of the output has nowhere to go, so it is dropped instead of crashing.
 */
function withBrokenPipeDropped(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!guardedStreams.has(stream)) {
    guardedStreams.add(stream);
    stream.on('error', dropBrokenPipe);
  }
  return stream;
}

function dropBrokenPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') {
    throw error;
  }
}
