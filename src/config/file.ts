import { resolve } from 'node:path';

import { ConfigError } from '../errors.js';

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
  const explorer = cosmiconfig(MODULE_NAME, { searchPlaces: SEARCH_PLACES, searchStrategy: 'global', cache: false });

  if (options.explicitPath !== undefined) {
    const path = resolve(options.cwd, options.explicitPath);
    const result = await explorer.load(path).catch((error: unknown) => {
      throw loadFailure(error, path, true);
    });
    return { path, contents: result?.isEmpty ? {} : result?.config };
  }

  const result = await explorer.search(options.cwd).catch((error: unknown) => {
    throw loadFailure(error, (error as { filepath?: string }).filepath ?? options.cwd, false);
  });
  if (result === null) {
    return undefined;
  }
  return { path: result.filepath, contents: result.isEmpty ? {} : result.config };
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
  return new ConfigError('E_CONFIG_UNREADABLE', path, `cannot read the config file ${path}: ${firstLines(message)}`, {
    hint: 'fix the syntax of the file, or point --config at another file',
    cause: error,
  });
}

/** Shortens a parser message, which can quote many lines of the file, to its first lines. */
function firstLines(message: string): string {
  return message.split('\n').slice(0, 4).join('\n  ');
}
