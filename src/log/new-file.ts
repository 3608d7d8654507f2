import { existsSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A file that a command is about to create, with the folders that creating it adds. */
export interface NewFile {
  /** Removes the file and those folders again, but only while they are empty. */
  removeIfEmpty(): void;
}

/**
 * Notes which of `path` and its parent folders do not exist yet, so that a
 * command that fails before writing anything leaves no empty file behind.
 * Call it before the file is opened.
 */
export function noteNewFile(path: string): NewFile {
  const missing: string[] = [];
  let current = resolve(path);

  while (!existsSync(current)) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) {
      break;
    }
    current = parent;
  }

  return {
    removeIfEmpty: () => {
      // The file comes first, then its folders from the deepest up.
      for (const [index, entry] of missing.entries()) {
        if (!removeEmpty(entry, index === 0)) {
          return;
        }
      }
    },
  };
}

function removeEmpty(path: string, isFile: boolean): boolean {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats === undefined) {
      return true;
    }
    if (isFile && stats.isFile() && stats.size === 0) {
      unlinkSync(path);
      return true;
    }
    if (!isFile && stats.isDirectory()) {
      // rmdir fails on a folder that is not empty, which is then kept.
      rmdirSync(path);
      return true;
    }
  } catch {
    // Whatever cannot be removed stays, as it would have without this cleanup.
  }
  return false;
}
