import { fileURLToPath } from 'node:url';

/** Root folder of the package, whatever the working directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Built command-line entry point, run exactly as a user runs `pllay-hooks`. */
export const BIN = fileURLToPath(new URL('../../bin/pllay-hooks.js', import.meta.url));

/** Folder of the baseline programs. */
export const BASELINES = fileURLToPath(new URL('../baselines/', import.meta.url));

/** Built signature module, the code that `send`, `listen` and `replay` sign and verify with. */
export const SIGNATURE_MODULE = new URL('../../dist/signature/index.js', import.meta.url).href;
