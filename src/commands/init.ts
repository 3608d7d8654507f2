import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';

import { Command } from 'commander';

import {
  committedSecretCheck,
  configFormatOf,
  DEFAULT_CAPTURE_LOG,
  DEFAULT_CONFIG_FILE,
  DEFAULT_LISTEN_PORT,
  DEFAULT_SECRET_ENV,
  PACKAGE_JSON_KEY,
  packageJsonWithConfig,
  parsePackageJson,
  renderConfigFile,
  type ConfigFile,
} from '../config/index.js';
import { loadConfigFile, SEARCH_PLACES } from '../config/file.js';
import { isTarget, normalizeTarget } from '../delivery/target.js';
import { ExitCode, InputFileError, UsageError } from '../errors.js';
import type { Output } from '../ui/output.js';
import { canPrompt, promptChoice, promptConfirm, promptSecretText, promptText, type PromptTerminal } from '../ui/prompts.js';
import { describeFileError } from './input-files.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';
import { parsePort } from './options.js';

const DEFAULT_TARGET = 'http://localhost:3000/webhooks/pllay';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface InitFlags {
  file?: string;
  yes?: boolean;
  force?: boolean;
  to?: string;
  secretEnv?: string;
  port?: number;
  log?: string;
}

/** The destination of the config that init writes: a file of its own, or a key of package.json. */
interface Destination {
  path: string;
  /** Name of the destination in messages, such as `.pllay-hooksrc.json`. */
  shown: string;
  exists: boolean;
  /** Returns the config as the user sees it before it is written. */
  preview(config: ConfigFile): Promise<string>;
  /** Returns the whole text of the file to write. */
  text(config: ConfigFile): Promise<string>;
}

/** Answers that the new config file records. */
interface Answers {
  target: string;
  secretEnv: string;
  /** A secret to write into the file itself, when the user chose that. */
  secret?: string;
  port: number;
  log: string;
}

export function initCommand(context: CliContext): Command {
  return new Command('init')
    .description(COMMAND_DESCRIPTIONS.init)
    .option('--file <path>', `file to write: .json, .yaml, .yml, .mjs, .cjs, or package.json (default: ${DEFAULT_CONFIG_FILE})`)
    .option('-y, --yes', 'take the defaults (and the flags below) without asking')
    .option('--force', 'with --yes: overwrite the file when it exists')
    .option('--to <url>', `target URL or host:port (default: ${DEFAULT_TARGET})`)
    .option('--secret-env <name>', `environment variable that holds the secret (default: ${DEFAULT_SECRET_ENV})`)
    .option('--port <port>', `port of listen (default: ${DEFAULT_LISTEN_PORT})`, parsePort)
    .option('--log <file>', `capture log of listen (default: ${DEFAULT_CAPTURE_LOG})`)
    .addHelpText('after', [
      '',
      'Shows the file before writing it, and never overwrites a file without asking (or --force).',
      'Without a terminal, or with CI set, it asks nothing: pass --yes.',
      '',
      'Examples:',
      '  $ pllay-hooks init',
      '  $ pllay-hooks init --yes --to localhost:4000 --secret-env MY_APP_PLLAY_SECRET',
      '  $ pllay-hooks init --file pllay-hooks.config.mjs',
      '  $ pllay-hooks init --file package.json          # under the "pllay-hooks" key',
    ].join('\n'))
    .action(async (flags: InitFlags, command: Command) => {
      const output = createOutput(context, command);
      context.exitCode = await runInit(context, output, flags);
    });
}

async function runInit(context: CliContext, output: Output, flags: InitFlags): Promise<number> {
  const path = resolve(context.cwd, flags.file ?? DEFAULT_CONFIG_FILE);
  await validateFlags(flags);
  const destination = destinationOf(path, relative(context.cwd, path) || path);
  const { shown } = destination;

  const interactive = flags.yes !== true && canPrompt(context) && !output.json;
  if (flags.yes !== true && !interactive) {
    throw new UsageError(
      'E_INIT_NEEDS_ANSWERS',
      'init asks questions, but there is no terminal to ask on (or CI is set, or --json was given)',
      'pass --yes to take the defaults, with --to, --secret-env, --port and --log to change them',
    );
  }

  if (destination.exists && !(await mayOverwrite(context, output, shown, flags, interactive))) {
    output.result(`Left ${shown} unchanged.`);
    return ExitCode.ok;
  }

  const answers = interactive ? await ask(context, flags) : defaultAnswers(flags);
  const config = configOf(answers);
  const text = await destination.text(config);

  output.line(`\n${output.style.bold(shown)}:\n${indent(await destination.preview(config))}`);
  if (interactive && !(await promptConfirm(context, { message: `Write ${shown}?`, default: true }))) {
    output.result('Nothing written.');
    return ExitCode.ok;
  }

  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  if (!SEARCH_PLACES.includes(relative(context.cwd, path))) {
    output.warn(`pllay-hooks does not search for ${shown}, so pass --config ${shown} to use it`);
  } else {
    await warnIfShadowed(context, output, path, shown);
  }
  output.data({ file: path, written: true, config: { ...config, ...(config.secret ? { secret: '(hidden)' } : {}) } });
  output.result(`${output.style.green('✔')} wrote ${shown}`);

  await warnAboutSecret(context, output, path, answers);
  nextSteps(output, answers);
  return ExitCode.ok;
}

function destinationOf(path: string, shown: string): Destination {
  const format = configFormatOf(path);
  if (format !== 'package') {
    const render = (config: ConfigFile): Promise<string> => renderConfigFile(config, format);
    return { path, shown, exists: existsSync(path), preview: render, text: render };
  }

  const file = parsePackageJson(readPackageJson(path, shown), shown);
  return {
    path,
    shown: `the "${PACKAGE_JSON_KEY}" key of ${shown}`,
    exists: Object.hasOwn(file.fields, PACKAGE_JSON_KEY),
    preview: (config) => renderConfigFile(config, 'package'),
    text: async (config) => packageJsonWithConfig(file, config),
  };
}

function readPackageJson(path: string, shown: string): string {
  if (!existsSync(path)) {
    throw new UsageError('E_PACKAGE_JSON_NOT_FOUND', `${shown} not found: init adds its config to an existing package.json`, 'run npm init first, or choose another file with --file');
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const { reason, hint } = describeFileError(error);
    throw new InputFileError('E_FILE_UNREADABLE', path, `cannot read ${shown}: ${reason}`, error, hint);
  }
}

/** Flag of init that sets each config key, for naming the flag in an error. */
const FLAG_OF_KEY: Record<string, string> = {
  target: '--to',
  secretEnv: '--secret-env',
  'listen.port': '--port',
  'listen.log': '--log',
};

/** Checks the flags with the config schema's rules, so that init writes no file that later commands reject. */
async function validateFlags(flags: InitFlags): Promise<void> {
  if (flags.to !== undefined) {
    normalizeTarget(flags.to);
  }
  if (flags.secretEnv !== undefined && !ENV_NAME.test(flags.secretEnv)) {
    throw new UsageError('E_SECRET_ENV_NAME', `invalid --secret-env "${flags.secretEnv}": expected an environment variable name`, 'for example: --secret-env MY_APP_PLLAY_SECRET');
  }

  const { configFileSchema } = await import('../config/schema.js');
  const result = configFileSchema.safeParse(configOf(defaultAnswers(flags)), { reportInput: true });
  const issue = result.error?.issues[0];
  if (issue !== undefined) {
    const flag = FLAG_OF_KEY[issue.path.join('.')] ?? issue.path.join('.');
    throw new UsageError('E_INIT_FLAG_INVALID', `invalid ${flag} ${JSON.stringify(issue.input)}: ${issue.message}`, `give ${flag} another value, or leave it out to take the default`);
  }
}

/** Warns when the config search finds another file before the one just written, which then has no effect. */
async function warnIfShadowed(context: CliContext, output: Output, path: string, shown: string): Promise<void> {
  let found: string | undefined;
  try {
    found = (await loadConfigFile({ cwd: context.cwd, env: context.env }))?.path;
  } catch (error) {
    output.warn(`${shown} is not used while the config search fails: ${(error as Error).message}`);
    return;
  }

  if (found !== undefined && found !== path) {
    const relativePath = relative(context.cwd, found) || found;
    const winner = basename(found) === 'package.json' ? `the "${PACKAGE_JSON_KEY}" key of ${relativePath}` : relativePath;
    output.warn(
      `pllay-hooks finds ${winner} before ${shown}, so ${shown} is not used: ` +
      `move the settings into ${winner}, or pass --config ${shown}`,
    );
  }
}

async function mayOverwrite(context: CliContext, output: Output, shown: string, flags: InitFlags, interactive: boolean): Promise<boolean> {
  if (flags.force === true) {
    return true;
  }
  if (!interactive) {
    throw new UsageError('E_CONFIG_EXISTS', `${shown} exists already; init does not overwrite it`, 'pass --force to overwrite it, or --file to write another file');
  }

  output.warn(`${shown} exists already`);
  return promptConfirm(context, { message: `Overwrite ${shown}?`, default: false });
}

function defaultAnswers(flags: InitFlags): Answers {
  return {
    target: flags.to ?? DEFAULT_TARGET,
    secretEnv: flags.secretEnv ?? DEFAULT_SECRET_ENV,
    port: flags.port ?? DEFAULT_LISTEN_PORT,
    log: flags.log ?? DEFAULT_CAPTURE_LOG,
  };
}

async function ask(terminal: PromptTerminal, flags: InitFlags): Promise<Answers> {
  const defaults = defaultAnswers(flags);

  const target = await promptText(terminal, {
    message: 'Where does your app receive webhooks? (URL or host:port)',
    default: defaults.target,
    validate: (value) => isTarget(value) || 'enter a URL such as http://localhost:3000/webhooks/pllay, or host:port',
  });
  const secretSource = await askSecretSource(terminal, defaults.secretEnv);
  const port = await promptText(terminal, {
    message: 'Port for pllay-hooks listen?',
    default: String(defaults.port),
    validate: (value) => isPort(value) || 'enter a port from 0 to 65535',
  });
  const log = await promptText(terminal, {
    message: 'Capture log of pllay-hooks listen?',
    default: defaults.log,
    validate: (value) => value.trim() !== '' || 'enter a file path',
  });

  return { target, ...secretSource, port: Number(port), log };
}

async function askSecretSource(terminal: PromptTerminal, defaultEnv: string): Promise<Pick<Answers, 'secretEnv' | 'secret'>> {
  const source = await promptChoice(terminal, {
    message: 'Where is the signing secret?',
    choices: [
      { name: `In the environment variable ${defaultEnv} (recommended)`, value: 'env' },
      { name: 'In another environment variable', value: 'other-env' },
      { name: 'In the config file itself (only for a file that is never committed)', value: 'file' },
    ],
  });

  if (source === 'env') {
    return { secretEnv: defaultEnv };
  }
  if (source === 'other-env') {
    const name = await promptText(terminal, {
      message: 'Name of the environment variable?',
      default: 'PLLAY_WEBHOOK_SECRET',
      validate: (value) => ENV_NAME.test(value) || 'enter a name such as MY_APP_PLLAY_SECRET',
    });
    return { secretEnv: name };
  }
  return { secretEnv: defaultEnv, secret: await promptSecretText(terminal, 'Signing secret?') };
}

function configOf(answers: Answers): ConfigFile {
  return {
    target: answers.target,
    ...(answers.secretEnv === DEFAULT_SECRET_ENV ? {} : { secretEnv: answers.secretEnv }),
    ...(answers.secret === undefined ? {} : { secret: answers.secret }),
    listen: { port: answers.port, log: answers.log },
  };
}

async function warnAboutSecret(context: CliContext, output: Output, path: string, answers: Answers): Promise<void> {
  if (answers.secret === undefined) {
    return;
  }
  const warning = await committedSecretCheck(path, context.cwd, answers.secretEnv);
  if (warning !== undefined) {
    output.warn(warning);
  }
}

function nextSteps(output: Output, answers: Answers): void {
  const steps: Array<[string, string]> = [
    ...(answers.secret === undefined ? [[`export ${answers.secretEnv}=whsec_...`, 'your endpoint\'s signing secret'] as [string, string]] : []),
    ['pllay-hooks config', 'check the settings and where each came from'],
    ['pllay-hooks send payment.succeeded', 'send a signed event to your app'],
    ['pllay-hooks listen', 'capture and verify events'],
  ];
  const width = Math.max(...steps.map(([step]) => step.length)) + 3;
  output.line(['', 'Next:', ...steps.map(([step, what]) => `  ${step.padEnd(width)}${what}`)].join('\n'));
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
}

function isPort(value: string): boolean {
  try {
    parsePort(value);
    return true;
  } catch {
    return false;
  }
}
