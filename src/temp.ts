import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ExitCode, PllayError } from './errors.js';

/**
 * Creates a fresh folder under the system's temporary folder. Fails with
 * E_TEMP_UNWRITABLE, naming the folder, when TMPDIR points at a folder that
 * is missing or not writable.
 */
export function makeTempDir(prefix: string): string {
  const parent = tmpdir();
  try {
    return mkdtempSync(join(parent, prefix));
  } catch (error) {
    throw new PllayError(
      'E_TEMP_UNWRITABLE',
      `cannot create a temporary folder in ${parent}: ${(error as Error).message}`,
      {
        category: 'filesystem',
        exitCode: ExitCode.usage,
        hint: 'set TMPDIR to an existing, writable folder',
        cause: error,
      },
    );
  }
}
