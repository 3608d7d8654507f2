// Removes the `prepare` script from package.json while npm packs the tarball, and puts it back
// afterwards. In a clone, `prepare` builds dist/ on `npm install`; in the published package dist/
// is already built, and npm 11 warns about any install-time script a dependency declares.
import { readFileSync, writeFileSync } from 'node:fs';

const PREPARE = 'npm run build';
const path = new URL('../package.json', import.meta.url);
const manifest = JSON.parse(readFileSync(path, 'utf8'));

if (process.argv[2] === 'strip') {
  delete manifest.scripts.prepare;
} else if (process.argv[2] === 'restore') {
  manifest.scripts = { ...manifest.scripts, prepare: PREPARE };
} else {
  throw new Error('usage: node scripts/pack-manifest.js strip|restore');
}

writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
