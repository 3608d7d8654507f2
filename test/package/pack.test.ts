import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { EVENT_TYPE_NAMES } from '../../src/events/catalog.js';
import { npmEnv, runCommand } from '../helpers/npm.js';
import { tempDir } from '../helpers/temp.js';

// Packs dist/ as built before the run (`npm test` builds it first) with `npm pack`, installs the
// tarball into an empty project as a user would, with its dependencies from the npm registry, and
// runs it from there.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** Files of the installed package that users need, as paths relative to the package folder. */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^bin\/pllay-hooks\.js$/,
  /^dist\/.+\.(js|d\.ts)$/,
  /^dist\/cli\/third-party-licenses\.txt$/,
  /^fixtures\/[a-z]+\.[a-z]+\.json$/,
  /^inspector\/(index\.html|inspector\.js|inspector\.css)$/,
];

const ESM_CONSUMER = `
import { EVENT_TYPES, VERSION, buildSignedHeaders, generateEvent, verify } from 'pllay-hooks';

const event = generateEvent({ type: 'payment.succeeded' });
const headers = buildSignedHeaders({ body: event.body, secret: 'whsec_consumer' });
const result = verify(event.body, headers['pllay-signature'], ['whsec_consumer']);
console.log(JSON.stringify({ version: VERSION, types: EVENT_TYPES.length, type: event.envelope.type, verdict: result.verdict }));
`;

const COMMONJS_CONSUMER = `
const { EVENT_TYPES, VERSION, buildSignedHeaders, generateEvent, verify } = require('pllay-hooks');

const event = generateEvent({ type: 'payment.succeeded' });
const headers = buildSignedHeaders({ body: event.body, secret: 'whsec_consumer' });
const result = verify(event.body, headers['pllay-signature'], ['whsec_consumer']);
console.log(JSON.stringify({ version: VERSION, types: EVENT_TYPES.length, type: event.envelope.type, verdict: result.verdict }));
`;

const project = tempDir();
/** TMPDIR of the installed CLI, so that the demo's log and the compile cache land in `project`. */
const tmp = join(project.path, 'tmp');
const installed = join(project.path, 'node_modules', 'pllay-hooks');

/**
 * Packs the package as `npm pack` would publish it. npm's own file list is copied into a staging
 * folder together with the script that `prepack` runs, so that removing the `prepare` script from
 * the packed package.json never touches this repository's own file while other tests read it.
 */
async function packIntoProject(): Promise<string> {
  const listed = await runCommand('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT });
  expect(listed.code, listed.stderr).toBe(0);
  const [{ files }] = JSON.parse(listed.stdout) as Array<{ files: Array<{ path: string }> }>;

  const staging = join(project.path, 'staging');
  for (const path of [...files.map((file) => file.path), 'scripts/pack-manifest.js']) {
    mkdirSync(dirname(join(staging, path)), { recursive: true });
    copyFileSync(join(ROOT, path), join(staging, path));
  }

  const stripped = await runCommand(process.execPath, ['scripts/pack-manifest.js', 'strip'], { cwd: staging });
  expect(stripped.code, stripped.stderr).toBe(0);
  const packed = await runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project.path], {
    cwd: staging,
  });
  expect(packed.code, packed.stderr).toBe(0);
  const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  return filename;
}

beforeAll(async () => {
  mkdirSync(tmp);
  writeFileSync(join(project.path, 'package.json'), '{ "name": "consumer", "private": true }\n');
  const filename = await packIntoProject();

  const install = await runCommand('npm', ['install', `./${filename}`], { cwd: project.path, timeoutMs: 110_000 });
  expect(install.code, install.stderr).toBe(0);
  // npm 11 warns when the package has an install script (for a tarball, "prepare" counts too),
  // and npm warns about deprecated dependencies. Network retries may warn without a fault here.
  expect(install.stderr).not.toMatch(/npm warn (install-scripts|deprecated)/i);
}, 120_000);

afterAll(() => project.remove());

const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'close');
    }
  }
});

/** Starts the installed CLI's `listen --ui` and resolves with the inspector URL it prints. */
async function startInstalledInspector(): Promise<string> {
  const bin = join(installed, 'bin', 'pllay-hooks.js');
  const child = spawn(process.execPath, [bin, 'listen', '--ui', '--port', '0', '--log', join(tmp, 'capture.ndjson')], {
    cwd: project.path,
    env: npmEnv({ TMPDIR: tmp }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);

  let stdout = '';
  for await (const chunk of child.stdout.setEncoding('utf8')) {
    stdout += chunk as string;
    const match = /^Inspector on (\S+)/m.exec(stdout);
    if (match) {
      return match[1]!;
    }
  }
  throw new Error(`listen --ui exited without printing the inspector URL:\n${stdout}`);
}

function installedFiles(): string[] {
  return readdirSync(installed, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(installed, path)).isFile())
    .map((path) => path.split('\\').join('/'))
    .sort();
}

async function npx(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // --no makes npx fail instead of fetching a published pllay-hooks when the local install is
  // missing, and `--` stops npx from reading the CLI's flags (such as --version) as its own.
  return runCommand('npx', ['--no', '--', 'pllay-hooks', ...args], { cwd: project.path, env: { TMPDIR: tmp } });
}

describe('packed tarball', () => {
  it('contains only runtime files', () => {
    const unexpected = installedFiles().filter((path) => !ALLOWED.some((pattern) => pattern.test(path)));

    expect(unexpected).toEqual([]);
  });

  it('contains every runtime file', () => {
    const files = installedFiles();
    const docs = ['README.md', 'LICENSE', 'CHANGELOG.md'].filter((name) => existsSync(join(ROOT, name)));

    expect(files).toContain('package.json');
    expect(files).toContain('LICENSE');
    expect(files).toContain('CHANGELOG.md');
    expect(files).toEqual(expect.arrayContaining(docs));
    expect(files).toContain('bin/pllay-hooks.js');
    expect(files).toContain('dist/cli/cli.js');
    expect(files).toContain('dist/cli/third-party-licenses.txt');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toEqual(expect.arrayContaining(EVENT_TYPE_NAMES.map((type) => `fixtures/${type}.json`)));
    expect(files).toEqual(
      expect.arrayContaining(['inspector/index.html', 'inspector/inspector.js', 'inspector/inspector.css']),
    );
  });

  it('credits the bundled packages', () => {
    const credits = readFileSync(join(installed, 'dist', 'cli', 'third-party-licenses.txt'), 'utf8');

    expect(credits).toMatch(/^commander \d+\.\d+\.\d+ \(MIT\)$/m);
    expect(credits).toMatch(/^chalk \d+\.\d+\.\d+ \(MIT\)$/m);
    expect(credits).toContain('Permission is hereby granted');
  });

  it('ships declarations for every module', () => {
    const files = installedFiles();
    // dist/cli/ is the bundled program, which nothing imports but bin/.
    const modules = files.filter((path) => /^dist\/(?!cli\/).+\.js$/.test(path));
    const missing = modules.filter((path) => !files.includes(path.replace(/\.js$/, '.d.ts')));

    expect(modules.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });
});

describe('installed package', () => {
  it('prints its version', async () => {
    const result = await npx(['--version']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${PACKAGE.version}\n`);
  });

  it('lists every event type', async () => {
    const result = await npx(['events', '--json']);

    expect(result.code).toBe(0);
    const types = result.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(EVENT_TYPE_NAMES);
  });

  it('runs the demo', async () => {
    const result = await npx(['demo']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${EVENT_TYPE_NAMES.length} of ${EVENT_TYPE_NAMES.length} events sent, received and verified`);
  });

  it('serves the API to ESM', async () => {
    writeFileSync(join(project.path, 'consumer.mjs'), ESM_CONSUMER);

    const result = await runCommand(process.execPath, ['consumer.mjs'], { cwd: project.path });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      version: PACKAGE.version,
      types: EVENT_TYPE_NAMES.length,
      type: 'payment.succeeded',
      verdict: 'valid',
    });
  });

  it('serves the inspector page', async () => {
    const url = await startInstalledInspector();

    const page = await fetch(url);
    const script = await fetch(`${url}inspector.js`);
    const style = await fetch(`${url}inspector.css`);

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="inspector.js" defer></script>');
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('EventSource');
    expect(style.status).toBe(200);
  });

  // Every supported line (20.19 and later) loads ES modules with require(), so CommonJS
  // consumers get the same API as long as no module of the package uses top-level await.
  it('serves the API to CommonJS', async () => {
    writeFileSync(join(project.path, 'consumer.cjs'), COMMONJS_CONSUMER);

    const result = await runCommand(process.execPath, ['consumer.cjs'], { cwd: project.path });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      version: PACKAGE.version,
      types: EVENT_TYPE_NAMES.length,
      type: 'payment.succeeded',
      verdict: 'valid',
    });
  });
});
