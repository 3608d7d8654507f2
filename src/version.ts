import { createRequire } from 'node:module';

/** Version that scripts/build-cli.js compiles into the CLI bundle, so that it skips package.json. */
declare const PLLAY_HOOKS_VERSION: string | undefined;

/** Version of the installed package: compiled into the CLI bundle, read from package.json elsewhere. */
export const VERSION: string =
  typeof PLLAY_HOOKS_VERSION === 'string' ? PLLAY_HOOKS_VERSION : readPackageVersion();

function readPackageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../package.json') as { version: string }).version;
}
