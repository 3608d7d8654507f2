import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

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

export interface ConfigFileContents {
  /** Absolute path of the file. */
  path: string;
  /** Contents of the file, not yet validated: the `pllay-hooks` key for package.json. */
  contents: unknown;
}

/**
 * Loads the config file named by `explicitPath`, or else searches for one
 * from `cwd` up to the home folder (or the root, outside it), then in the
 * user's config folder (`~/.config/pllay-hooks/config.json` and the like).
 * Returns undefined when there is none. cosmiconfig is loaded on first use.
 */
export async function loadConfigFile(options: { cwd: string; explicitPath?: string | undefined }): Promise<ConfigFileContents | undefined> {
  const { cosmiconfig } = await import('cosmiconfig');
  // An empty file is reported rather than skipped, because it is more often a mistake than intended.
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'global',
    cache: false,
    ignoreEmptySearchPlaces: false,
  });

  if (options.explicitPath !== undefined) {
    const path = resolve(options.cwd, options.explicitPath);
    const result = await explorer.load(path).catch((error: unknown) => {
      throw loadFailure(error, path, true);
    });
    return { path, contents: nonEmpty(result, path) };
  }

  const result = await explorer.search(options.cwd).catch((error: unknown) => {
    throw loadFailure(error, (error as { filepath?: string }).filepath ?? options.cwd, false);
  });
  if (result === null) {
    return undefined;
  }
  return { path: result.filepath, contents: nonEmpty(result, result.filepath) };
}

/** Rejects an empty config file, which sets nothing. */
function nonEmpty(result: { config: unknown; isEmpty?: boolean } | null, path: string): unknown {
  if (result === null || result.isEmpty === true) {
    throw new ConfigError('E_CONFIG_EMPTY', path, `the config file ${path} is empty`, {
      hint: 'add settings such as { "target": "localhost:3000" } (pllay-hooks init writes some), or delete the file',
    });
  }
  return result.config;
}

function loadFailure(error: unknown, path: string, explicit: boolean): ConfigError {
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
  const json = path.endsWith('.json') ? jsonProblem(path) : undefined;
  const detail = json === undefined ? `${path}: ${firstLines(message)}` : `${path}${json.where}: ${json.reason}`;
  return new ConfigError('E_CONFIG_UNREADABLE', path, `cannot read the config file ${detail}`, {
    hint: 'fix the syntax of the file, or point --config at another file',
    cause: error,
  });
}

/** Finds where a JSON config file breaks, or undefined when it cannot be read or is valid JSON. */
function jsonProblem(path: string): { where: string; reason: string } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }

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
