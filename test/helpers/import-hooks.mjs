// Module resolve hook that appends every resolved URL to the file named by IMPORT_LOG,
// so that a test can see which packages a command loaded.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.IMPORT_LOG, `${result.url}\n`);
  return result;
}
