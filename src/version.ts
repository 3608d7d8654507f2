import { createRequire } from 'node:module';

/** Set by the bundler of the command-line program, so that its start-up skips reading package.json. */
declare const PLLAY_HOOKS_VERSION: string | undefined;

/** Version of the installed package, read from its package.json. */
export const VERSION: string = typeof PLLAY_HOOKS_VERSION === 'string' ? PLLAY_HOOKS_VERSION : readPackageVersion();

function readPackageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../package.json') as { version: string }).version;
}
