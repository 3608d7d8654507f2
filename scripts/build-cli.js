// Bundles the command-line program into dist/cli/ with esbuild, after tsc has emitted the API and
// its declarations into dist/. Run by `npm run build`.
//
// Start-up time is why: profiles of `--version`, `--help` and `events` showed about half of their
// time going to the module loader, which resolves, reads and links each module file in turn, so the
// program loads as few files as possible. The entry is dist/cli/cli.js. Each command is its own
// chunk, imported when the command runs, and code that several chunks share (commander and chalk
// among it) goes into `chunk-*.js` files.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
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
  sourcemap: 'linked',
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  plugins: [builtinModules()],
});

checkBundledPackages(result.metafile);
checkNoRequireShim();
writeLicences(result.metafile);

/**
 * Resolves the imports and `require()` calls of Node.js built-in modules to
 * `process.getBuiltinModule()` (Node.js 20.16 and later), which returns the object that `require()`
 * returns. Two costs go away with it. An ES module import of a built-in makes Node.js build an ES
 * module facade that reads every export once, and the facade of `node:process`, which chalk
 * imports, reads `process.stdin`, so Node.js creates the stdin stream. And ES modules have no
 * `require` for commander's calls, so esbuild would otherwise leave a shim that throws.
 *
 * commander 14 loads node:child_process only to spawn executable subcommands, which this program
 * does not define, so its `require` becomes a stub that loads the module on the first call. Loading
 * it at start-up would also load `net` and `dgram`. `spawn` is the only function of it that
 * commander 14 calls.
 */
function builtinModules() {
  return {
    name: 'builtin-modules',
    setup(build) {
      build.onResolve({ filter: /^[a-z:_/]+$/ }, (args) => {
        if (!['require-call', 'import-statement'].includes(args.kind) || !isBuiltin(args.path)) {
          return undefined;
        }
        const name = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
        const lazy = name === 'node:child_process' && /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer);

        // One stub per importing file, so that esbuild puts each stub into its importer's chunk.
        // A stub shared by several chunks would be a chunk file of its own, one more file to load.
        return {
          path: `${name} from ${relative(ROOT, args.importer)}`,
          namespace: lazy ? 'lazy-builtin' : 'builtin',
          pluginData: { name },
        };
      });
      build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
        contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.pluginData.name)});`,
        loader: 'js',
      }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
        contents: `exports.spawn = (...args) => process.getBuiltinModule(${JSON.stringify(args.pluginData.name)}).spawn(...args);`,
        loader: 'js',
      }));
    },
  };
}

/** Fails the build when a `require()` call is left that would throw in the ES module output. */
function checkNoRequireShim() {
  for (const name of readdirSync(OUT_DIR).filter((file) => file.endsWith('.js'))) {
    if (readFileSync(join(OUT_DIR, name), 'utf8').includes('Dynamic require of')) {
      throw new Error(`dist/cli/${name} requires a module that builtinModules() does not resolve`);
    }
  }
}

/** Lists the folders of the packages under node_modules whose files went into the bundle. */
function bundledPackages(metafile) {
  const folders = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    // Modules made by the plugins have a namespace prefix, such as `builtin:`, and no folder.
    const match = /^(?![a-z-]+:)(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
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
    throw new Error(`unexpected packages in the bundle: ${unexpected.join(', ')}; add them to BUNDLED in scripts/build-cli.js or mark them external`);
  }

  const runtime = BUNDLED.filter((name) => name in (MANIFEST.dependencies ?? {}));
  if (runtime.length > 0) {
    throw new Error(`bundled packages listed in dependencies: ${runtime.join(', ')}; move them to devDependencies`);
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
