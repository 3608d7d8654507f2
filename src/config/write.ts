import { basename, extname } from 'node:path';

import { UsageError } from '../errors.js';
import type { ConfigFile } from './types.js';

/** File name that `init` writes unless --file names another. */
export const DEFAULT_CONFIG_FILE = '.pllay-hooksrc.json';

export type ConfigFormat = 'json' | 'yaml' | 'esm' | 'cjs';

/**
 * Picks the format of a new config file from its name. A `.js` or `.ts`
 * file is rejected because whether it is read as ESM or CommonJS depends on
 * the nearest package.json; `.mjs` and `.cjs` fix it themselves.
 */
export function configFormatOf(path: string): ConfigFormat {
  const extension = extname(path).toLowerCase();
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
    'use a name ending in .json, .yaml, .yml, .mjs or .cjs, such as .pllay-hooksrc.json',
  );
}

/** Writes a config as the text of a file of the given format. The YAML library loads on first use. */
export async function renderConfigFile(config: ConfigFile, format: ConfigFormat): Promise<string> {
  const json = JSON.stringify(config, null, 2);

  switch (format) {
    case 'json':
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
