// Bundles the command-line program into dist/cli/ with esbuild, after tsc has emitted the API and
// its declarations into dist/. Run by `npm run build`.
//
// Start-up time is why: Node.js spends most of the start-up of `--version`, `--help` and `events`
// resolving, reading and linking modules one at a time, so the program loads as few files as
// possible. The entry (dist/cli/cli.js) holds the program, commander and chalk; each command is its
// own chunk, imported when the command runs, and code that several chunks share goes into
// `chunk-*.js` files.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT_DIR = join(ROOT, 'dist', 'cli');
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/**
 * Packages compiled into the bundle. Only the program uses them, and they load on every start.
 * They are devDependencies, so npm does not install them for users.
 */
const BUNDLED = ['commander', 'chalk'];

/**
 * esbuild turns the `require()` calls of CommonJS packages (commander) into a helper that fails for
 * Node.js built-in modules in ESM output, unless the module has a `require` of its own.
 */
const REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module';\n" +
  'const require = __createRequire(import.meta.url);';

const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli.ts'],
  outdir: OUT_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Every runtime dependency that is not bundled stays an import of the installed package.
  external: Object.keys(MANIFEST.dependencies ?? {}),
  define: { PLLAY_HOOKS_VERSION: JSON.stringify(MANIFEST.version) },
  banner: { js: REQUIRE_BANNER },
  sourcemap: 'linked',
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyChildProcess()],
});

checkBundledPackages(result.metafile);
writeLicences(result.metafile);

/**
 * Replaces commander's `require('node:child_process')` with a stub that loads the module on the
 * first call. Commander 14 needs it only to spawn executable subcommands (`pllay-hooks-<name>`
 * files), which this program does not define, and loading it at start-up also loads `net` and
 * `dgram`. `spawn` is the only function of it that commander 14 calls.
 */
function lazyChildProcess() {
  return {
    name: 'lazy-child-process',
    setup(build) {
      build.onResolve({ filter: /^node:child_process$/ }, (args) =>
        /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
          ? { path: 'child_process', namespace: 'lazy-child-process' }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
        contents: "exports.spawn = (...args) => require('node:child_process').spawn(...args);",
        loader: 'js',
      }));
    },
  };
}

/** The packages under node_modules whose files went into the bundle, by package folder. */
function bundledPackages(metafile) {
  const folders = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) {
      folders.add(match[1]);
    }
  }
  return [...folders].sort();
}

/**
 * Fails the build when a package went into the bundle that is not in BUNDLED, or when a bundled
 * package is still a runtime dependency, so that package.json lists what the bundle imports.
 */
function checkBundledPackages(metafile) {
  const names = bundledPackages(metafile).map((folder) => readPackage(folder).name);
  const unexpected = names.filter((name) => !BUNDLED.includes(name));
  if (unexpected.length > 0) {
    throw new Error(`bundled packages missing from BUNDLED in scripts/build-cli.js: ${unexpected.join(', ')}`);
  }

  const runtime = BUNDLED.filter((name) => name in (MANIFEST.dependencies ?? {}));
  if (runtime.length > 0) {
    throw new Error(`bundled packages must be devDependencies, not dependencies: ${runtime.join(', ')}`);
  }
}

/** Writes the name, version and licence text of every bundled package next to the bundle. */
function writeLicences(metafile) {
  const sections = bundledPackages(metafile).map((folder) => {
    const manifest = readPackage(folder);
    const licence = readFileSync(join(ROOT, folder, licenceFile(folder)), 'utf8').trim();
    return `${manifest.name} ${manifest.version} (${manifest.license})\n\n${licence}\n`;
  });

  const header =
    'dist/cli/ contains code from the following packages, compiled in by esbuild. ' +
    'Their licences follow.\n';
  const path = join(OUT_DIR, 'third-party-licenses.txt');
  writeFileSync(path, [header, ...sections].join(`\n${'-'.repeat(72)}\n\n`));
  console.log(`wrote ${relative(ROOT, path)} (${sections.length} packages)`);
}

function readPackage(folder) {
  return JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8'));
}

function licenceFile(folder) {
  const names = ['license', 'LICENSE', 'license.md', 'LICENSE.md', 'LICENSE.txt'];
  const found = names.find((name) => existsSync(join(ROOT, folder, name)));
  if (found === undefined) {
    throw new Error(`no licence file found in ${folder}; add its name to licenceFile() in scripts/build-cli.js`);
  }
  return found;
}
