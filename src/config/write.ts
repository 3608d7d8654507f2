import { basename, extname } from 'node:path';

import { UsageError } from '../errors.js';
import type { ConfigFile } from './types.js';

/** File name that `init` writes unless --file names another. */
export const DEFAULT_CONFIG_FILE = '.pllay-hooksrc.json';

export type ConfigFormat = 'json' | 'yaml' | 'esm' | 'cjs' | 'package';

/** Key of package.json that contains the config. */
export const PACKAGE_JSON_KEY = 'pllay-hooks';

/**
 * Picks the format of a new config file from its name. A `.js` or `.ts`
 * file is rejected because whether it is read as ESM or CommonJS depends on
 * the nearest package.json; `.mjs` and `.cjs` fix it themselves. A file
 * named package.json gets the config under its "pllay-hooks" key.
 */
export function configFormatOf(path: string): ConfigFormat {
  const extension = extname(path).toLowerCase();
  if (basename(path) === 'package.json') {
    return 'package';
  }
  if (extension === '.json' || (extension === '' && basename(path).startsWith('.'))) {
    return 'json';
  }
  if (extension === '.yaml' || extension === '.yml') {
    return 'yaml';
  }
  if (extension === '.mjs') {
    return 'esm';
  }
  if (extension === '.cjs') {
    return 'cjs';
  }
  throw new UsageError(
    'E_CONFIG_FORMAT',
    `cannot write a config file named ${basename(path)}: its format is unknown or ambiguous`,
    'use package.json or a name ending in .json, .yaml, .yml, .mjs or .cjs, such as .pllay-hooksrc.json',
  );
}

/**
 * Writes a config as the text of a file of the given format. The YAML
 * library loads on first use. For package.json this is the config alone,
 * and `packageJsonWithConfig` writes the whole file.
 */
export async function renderConfigFile(config: ConfigFile, format: ConfigFormat): Promise<string> {
  const json = JSON.stringify(config, null, 2);

  switch (format) {
    case 'json':
    case 'package':
      return `${json}\n`;
    case 'yaml': {
      const { stringify } = await import('yaml');
      return stringify(config);
    }
    case 'esm':
      return `/** @type {import('pllay-hooks').ConfigFile} */\nexport default ${json};\n`;
    case 'cjs':
      return `/** @type {import('pllay-hooks').ConfigFile} */\nmodule.exports = ${json};\n`;
  }
}

/** Fields of a package.json that `init` needs: its text parsed, and how it was laid out. */
export interface PackageJson {
  fields: Record<string, unknown>;
  indent: string;
  newline: string;
}

/**
 * Parses the text of a package.json, keeping its indentation and line
 * ending so that the file changes only where the config goes.
 */
export function parsePackageJson(text: string, path: string): PackageJson {
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch (error) {
    throw new UsageError('E_PACKAGE_JSON_INVALID', `cannot add the config to ${path}: ${(error as Error).message}`, 'fix the JSON of package.json, or choose another file with --file');
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new UsageError('E_PACKAGE_JSON_INVALID', `cannot add the config to ${path}: it does not contain a JSON object`, 'fix package.json, or choose another file with --file');
  }

  return {
    fields: fields as Record<string, unknown>,
    indent: /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ',
    newline: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

/** Writes the text of a package.json with the config under its "pllay-hooks" key, other keys unchanged. */
export function packageJsonWithConfig(file: PackageJson, config: ConfigFile): string {
  const fields = { ...file.fields, [PACKAGE_JSON_KEY]: config };
  return `${JSON.stringify(fields, null, file.indent).replaceAll('\n', file.newline)}${file.newline}`;
}
