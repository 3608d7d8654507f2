import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';

import type { Loader } from 'cosmiconfig';

import { ConfigError } from '../errors.js';
import { describeJsonError } from '../json.js';

/** Name that the config files and the package.json key are named after. */
export const MODULE_NAME = 'pllay-hooks';

/** Places checked in each folder, from the current one upwards, in this order. */
export const SEARCH_PLACES = [
  'package.json',
  `.${MODULE_NAME}rc`,
  `.${MODULE_NAME}rc.json`,
  `.${MODULE_NAME}rc.yaml`,
  `.${MODULE_NAME}rc.yml`,
  `.${MODULE_NAME}rc.js`,
  `.${MODULE_NAME}rc.mjs`,
  `.${MODULE_NAME}rc.cjs`,
  `.config/${MODULE_NAME}rc`,
  `.config/${MODULE_NAME}rc.json`,
  `.config/${MODULE_NAME}rc.yaml`,
  `.config/${MODULE_NAME}rc.yml`,
  `.config/${MODULE_NAME}rc.js`,
  `.config/${MODULE_NAME}rc.mjs`,
  `.config/${MODULE_NAME}rc.cjs`,
  `${MODULE_NAME}.config.js`,
  `${MODULE_NAME}.config.mjs`,
  `${MODULE_NAME}.config.cjs`,
  `${MODULE_NAME}.config.ts`,
  `.config/${MODULE_NAME}.config.js`,
  `.config/${MODULE_NAME}.config.mjs`,
  `.config/${MODULE_NAME}.config.cjs`,
  `.config/${MODULE_NAME}.config.ts`,
];

/** Places checked in the user-wide folder when no folder from the current one upwards has a file. */
export const USER_SEARCH_PLACES = ['config', 'config.json', 'config.yaml', 'config.yml', 'config.js', 'config.ts', 'config.cjs', 'config.mjs'];

export interface ConfigFileContents {
  /** Absolute path of the file. */
  path: string;
  /** Contents of the file, not yet validated: the `pllay-hooks` key for package.json. */
  contents: unknown;
}

export interface LoadConfigFileOptions {
  cwd: string;
  /** File named by --config or PLLAY_HOOKS_CONFIG. When it is given, no other file is read. */
  explicitPath?: string | undefined;
  /** Environment that `XDG_CONFIG_HOME` is read from, or process.env when absent. */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Loads the config file named by `explicitPath`, or else searches for one
 * from `cwd` up to the home folder (or the root, outside it), then in the
 * user's config folder (`$XDG_CONFIG_HOME/pllay-hooks/config.json` and the
 * like). Returns undefined when there is none.
 *
 * The search is done here rather than by cosmiconfig's explorer, because
 * creating an explorer also reads cosmiconfig's own settings from
 * package.json and `.config/config.*` in the process's folder, so a broken
 * file there that is not ours would stop every command. cosmiconfig's
 * loaders (loaded on first use) still parse the files.
 */
export async function loadConfigFile(options: LoadConfigFileOptions): Promise<ConfigFileContents | undefined> {
  if (options.explicitPath !== undefined) {
    const path = resolve(options.cwd, options.explicitPath);
    const text = await readFile(path, 'utf8').catch((error: unknown) => {
      throw loadFailure(error, path, true);
    });
    return { path, contents: await parseConfigText(path, text, { packageKeyRequired: false }) };
  }

  for (const path of searchPaths(options)) {
    const text = await readConfigIfPresent(path);
    if (text === undefined) {
      continue;
    }

    const isPackageJson = basename(path) === 'package.json';
    const contents = await parseConfigText(path, text, { packageKeyRequired: isPackageJson });
    if (contents !== NOT_OURS) {
      return { path, contents };
    }
  }
  return undefined;
}

/** Lists every path that the search checks, in order. */
function searchPaths(options: LoadConfigFileOptions): string[] {
  const folders = [resolve(options.cwd)];
  const stop = resolve(homedir());
  let folder = folders[0]!;
  while (folder !== stop && dirname(folder) !== folder) {
    folder = dirname(folder);
    folders.push(folder);
  }

  const env = options.env ?? process.env;
  const configHome = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
    ? env.XDG_CONFIG_HOME
    : join(homedir(), '.config');
  return [
    ...folders.flatMap((each) => SEARCH_PLACES.map((place) => join(each, place))),
    ...USER_SEARCH_PLACES.map((place) => join(configHome, MODULE_NAME, place)),
  ];
}

/** Reads a file, or returns undefined when there is no readable file at the path. */
async function readConfigIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EACCES') {
      return undefined;
    }
    throw loadFailure(error, path, false);
  }
}

/** Marks a package.json without a `pllay-hooks` key, which the search passes over. */
const NOT_OURS = Symbol('not a pllay-hooks config');

/**
 * Parses a config file with the loader for its extension (YAML for a file
 * without one). A UTF-8 byte order mark is dropped first, as editors on
 * Windows often write one. An empty file is reported rather than skipped,
 * because it is more often a mistake than intended.
 */
async function parseConfigText(
  path: string,
  rawText: string,
  options: { packageKeyRequired: boolean },
): Promise<unknown> {
  const text = rawText.startsWith('\uFEFF') ? rawText.slice(1) : rawText;
  if (text.trim() === '') {
    if (options.packageKeyRequired) {
      return NOT_OURS;
    }
    throw emptyFile(path);
  }

  const { defaultLoaders } = await import('cosmiconfig');
  const loaders: Readonly<Record<string, Loader | undefined>> = defaultLoaders;
  const extension = extname(path);
  const loader = loaders[extension === '' ? 'noExt' : extension];
  if (loader === undefined) {
    throw new ConfigError('E_CONFIG_UNREADABLE', path, `cannot read the config file ${path}: no loader for "${extension}" files`, {
      hint: 'use a .json, .yaml, .yml, .js, .mjs, .cjs or .ts file',
    });
  }

  let contents: unknown;
  try {
    contents = await loader(path, text);
  } catch (error) {
    throw loadFailure(error, path, false, text);
  }

  if (basename(path) !== 'package.json') {
    return contents;
  }
  return packageKey(contents, path, options.packageKeyRequired);
}

/** Returns the `pllay-hooks` key of package.json, or NOT_OURS when a searched one has none. */
function packageKey(contents: unknown, path: string, required: boolean): unknown {
  const hasKey = typeof contents === 'object' && contents !== null && Object.hasOwn(contents, MODULE_NAME);
  if (hasKey) {
    return (contents as Record<string, unknown>)[MODULE_NAME];
  }
  if (required) {
    return NOT_OURS;
  }
  throw new ConfigError('E_CONFIG_EMPTY', path, `${path} has no "${MODULE_NAME}" key`, {
    hint: `add a "${MODULE_NAME}" key with settings such as { "target": "localhost:3000" }, or point --config at another file`,
  });
}

function emptyFile(path: string): ConfigError {
  return new ConfigError('E_CONFIG_EMPTY', path, `the config file ${path} is empty`, {
    hint: 'add settings such as { "target": "localhost:3000" } (pllay-hooks init writes some), or delete the file',
  });
}

function loadFailure(error: unknown, path: string, explicit: boolean, text?: string): ConfigError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);

  if (explicit && code === 'ENOENT') {
    return new ConfigError('E_CONFIG_NOT_FOUND', path, `config file not found: ${path}`, {
      hint: 'check the path given to --config (or PLLAY_HOOKS_CONFIG)',
      cause: error,
    });
  }
  if (path.endsWith('.ts') && /typescript/.test(message) && code === 'ERR_MODULE_NOT_FOUND') {
    return new ConfigError('E_CONFIG_NEEDS_TYPESCRIPT', path, `cannot load ${path}: a .ts config file needs the typescript package`, {
      hint: 'install it next to pllay-hooks (npm install --save-dev typescript), or use pllay-hooks.config.mjs',
      cause: error,
    });
  }
  const json = path.endsWith('.json') && text !== undefined ? jsonProblem(text) : undefined;
  const detail = json === undefined ? `${path}: ${firstLines(message)}` : `${path}${json.where}: ${json.reason}`;
  return new ConfigError('E_CONFIG_UNREADABLE', path, `cannot read the config file ${detail}`, {
    hint: 'fix the syntax of the file, or point --config at another file',
    cause: error,
  });
}

/** Finds where a JSON config file breaks, or undefined when it is valid JSON. */
function jsonProblem(text: string): { where: string; reason: string } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return describeJsonError(text, error);
  }
}

/** Shortens a parser message, which can quote many lines of the file, to its first lines. */
function firstLines(message: string): string {
  return message.split('\n').slice(0, 4).join('\n  ');
}
