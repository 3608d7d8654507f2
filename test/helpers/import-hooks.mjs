// Module resolve hook for tests, loaded through record-imports.mjs. It appends every resolved
// URL to the file named by IMPORT_LOG, so that a test can see which packages a command loaded.
// It also fails to resolve the package named by HIDE_PACKAGE, as if it were not installed.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  if (process.env.HIDE_PACKAGE && specifier === process.env.HIDE_PACKAGE) {
    const error = new Error(`Cannot find package '${specifier}' (hidden by the test)`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }

  const result = await nextResolve(specifier, context);
  if (process.env.IMPORT_LOG) {
    appendFileSync(process.env.IMPORT_LOG, `${result.url}\n`);
  }
  return result;
}
