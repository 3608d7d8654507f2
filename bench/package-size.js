#!/usr/bin/env node
// Measures what a user downloads and installs: packs the package with `npm pack`, installs the
// tarball into an empty project (dependencies come from the npm registry), and prints the sizes
// as Markdown. Build first: `npm run build && node bench/package-size.js`.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Returns process.env without the npm_* variables of an enclosing `npm run`, which point npm here. */
function cleanEnv() {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

function npm(args, cwd) {
  return execFileSync('npm', args, { cwd, env: cleanEnv(), encoding: 'utf8' });
}

/** Adds up the files under a folder: apparent bytes, bytes on disk and file count. Skips links. */
function measureFolder(folder) {
  const total = { bytes: 0, diskBytes: 0, files: 0 };

  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      const inner = measureFolder(path);
      total.bytes += inner.bytes;
      total.diskBytes += inner.diskBytes;
      total.files += inner.files;
    } else if (entry.isFile()) {
      const stats = lstatSync(path);
      total.bytes += stats.size;
      total.diskBytes += stats.blocks * 512;
      total.files += 1;
    }
  }
  return total;
}

/** Lists the packages installed in node_modules, scoped ones included, with version and size. */
function listPackages(nodeModules) {
  const packages = [];

  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) {
      continue;
    }
    if (entry.name.startsWith('@')) {
      for (const scoped of readdirSync(join(nodeModules, entry.name))) {
        packages.push(join(entry.name, scoped));
      }
    } else {
      packages.push(entry.name);
    }
  }
  return packages.sort().map((name) => {
    const folder = join(nodeModules, name);
    const { version } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    return { name, version, ...measureFolder(folder) };
  });
}

/** Formats bytes in kB of 1000 bytes, the unit that `npm pack` prints. */
function kilobytes(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function printReport({ packed, packages }) {
  const total = packages.reduce(
    (sum, item) => ({
      bytes: sum.bytes + item.bytes,
      diskBytes: sum.diskBytes + item.diskBytes,
      files: sum.files + item.files,
    }),
    { bytes: 0, diskBytes: 0, files: 0 },
  );

  const lines = [
    `Measured with Node.js ${process.version} and npm ${npm(['--version'], ROOT).trim()} ` +
      `on ${process.platform}-${process.arch}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| what | size | files |',
    '|---|---:|---:|',
    `| tarball \`${packed.filename}\` (compressed download) | ${kilobytes(packed.size)} | ${packed.entryCount} |`,
    `| pllay-hooks unpacked | ${kilobytes(packed.unpackedSize)} | ${packed.entryCount} |`,
    `| installed with dependencies (${packages.length} packages) | ${kilobytes(total.bytes)} | ${total.files} |`,
    `| same, on disk (file system blocks) | ${kilobytes(total.diskBytes)} | |`,
    '',
    '| installed package | version | size | files |',
    '|---|---|---:|---:|',
    ...packages.map((item) => `| ${item.name} | ${item.version} | ${kilobytes(item.bytes)} | ${item.files} |`),
  ];
  console.log(lines.join('\n'));
}

const project = mkdtempSync(join(tmpdir(), 'pllay-hooks-size-'));
try {
  writeFileSync(join(project, 'package.json'), '{ "name": "size-check", "private": true }\n');
  const [packed] = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', project], ROOT),
  );
  npm(['install', '--no-audit', '--no-fund', `./${packed.filename}`], project);

  printReport({ packed, packages: listPackages(join(project, 'node_modules')) });
} finally {
  rmSync(project, { recursive: true, force: true });
}
