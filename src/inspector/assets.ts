import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { PllayError } from '../errors.js';

/**
 * Folder of the page's files, `inspector/` at the package root. This module
 * sits two levels below the root both as source (src/inspector/) and as
 * build output (dist/inspector/).
 */
export const ASSETS_FOLDER = new URL('../../inspector/', import.meta.url);

/** Text in index.html that is replaced by the token of the run. */
const TOKEN_PLACEHOLDER = '__PLLAY_TOKEN__';

/** The page's three files, read once at start. */
export interface InspectorAssets {
  html: string;
  script: Buffer;
  style: Buffer;
}

/** Reads the page's files and puts the token into the page. */
export function loadAssets(token: string, folder: URL = ASSETS_FOLDER): InspectorAssets {
  const html = readAsset(folder, 'index.html').toString('utf8');
  if (!html.includes(TOKEN_PLACEHOLDER)) {
    throw assetError(folder, `index.html has no ${TOKEN_PLACEHOLDER} placeholder`);
  }

  return {
    html: html.replaceAll(TOKEN_PLACEHOLDER, token),
    script: readAsset(folder, 'inspector.js'),
    style: readAsset(folder, 'inspector.css'),
  };
}

function readAsset(folder: URL, name: string): Buffer {
  try {
    return readFileSync(new URL(name, folder));
  } catch (error) {
    throw assetError(folder, `cannot read ${name}: ${(error as Error).message}`, error);
  }
}

function assetError(folder: URL, reason: string, cause?: unknown): PllayError {
  return new PllayError('E_INSPECTOR_ASSETS', `the inspector page is incomplete in ${fileURLToPath(folder)}: ${reason}`, {
    category: 'internal',
    hint: 'reinstall pllay-hooks; the package ships the inspector/ folder',
    ...(cause === undefined ? {} : { cause }),
  });
}
