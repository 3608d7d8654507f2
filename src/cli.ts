import { Command, CommanderError, Option } from 'commander';

import { checkCommand } from './commands/check.js';
import { completionCommand } from './commands/completion.js';
import { configCommand } from './commands/config.js';
import { demoCommand } from './commands/demo.js';
import { eventsCommand } from './commands/events.js';
import { generateCommand } from './commands/generate.js';
import { initCommand } from './commands/init.js';
import { listenCommand } from './commands/listen.js';
import { replayCommand } from './commands/replay.js';
import { sendCommand } from './commands/send.js';
import { verifyCommand } from './commands/verify.js';
import type { CliContext } from './commands/context.js';
import { ExitCode, PllayError } from './errors.js';
import { isPromptCancelled } from './ui/prompts.js';
import { VERSION } from './version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    a delivery, check or verification failed
  2    invalid usage or config: unknown event type, bad flag, unreadable file
  130  interrupted`;

/** Builds the program with every command registered. */
export function createProgram(context: CliContext): Command {
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
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();

  program.addCommand(eventsCommand(context));
  program.addCommand(generateCommand(context));
  program.addCommand(sendCommand(context));
  program.addCommand(listenCommand(context));
  program.addCommand(replayCommand(context));
  program.addCommand(verifyCommand(context));
  program.addCommand(checkCommand(context));
  program.addCommand(demoCommand(context));
  program.addCommand(initCommand(context));
  program.addCommand(configCommand(context));
  program.addCommand(completionCommand(context));

  for (const command of program.commands) {
    command.configureHelp({ showGlobalOptions: true });
    command.showHelpAfterError(`(see: pllay-hooks ${command.name()} --help)`);
    command.configureOutput(program.configureOutput());
    command.exitOverride();
  }
  return program;
}

/** Runs the command line and returns the exit code. Errors are printed here, once. */
export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  const program = createProgram(context);

  try {
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

function processContext(): CliContext {
  // A reader that stops early, such as `| head -1`, closes the pipe. The rest of the output
  // has nowhere to go, so it is dropped instead of crashing with an unhandled EPIPE.
  process.stdout.on('error', dropBrokenPipe);
  process.stderr.on('error', dropBrokenPipe);

  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    exitCode: ExitCode.ok,
  };
}

function dropBrokenPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') {
    throw error;
  }
}
