import { execFile } from 'node:child_process';
import { dirname } from 'node:path';

/**
 * Tells whether git would commit a file: true when the file sits in a git
 * work tree and no ignore rule covers it (or it is tracked already). False
 * outside a work tree, for an ignored file, and when git is not installed.
 */
export function isCommittable(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    // check-ignore exits 0 for an ignored file, 1 for one that is not, 128 outside a work tree.
    execFile('git', ['check-ignore', '--quiet', '--', path], { cwd: dirname(path), timeout: 5_000 }, (error) => {
      resolve(error !== null && (error as { code?: unknown }).code === 1);
    });
  });
}
