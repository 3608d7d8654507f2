import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, cliEnv, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const COMMANDS = ['events', 'generate', 'send', 'listen', 'verify', 'demo', 'init', 'config', 'completion'];
const folders: Array<{ remove(): void }> = [];

afterEach(() => {
  folders.splice(0).forEach((folder) => folder.remove());
});

describe('help', () => {
  for (const command of COMMANDS) {
    it(`shows examples and global options for ${command}`, async () => {
      const result = await runCli([command, '--help']);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Example');
      for (const option of ['--json', '--quiet', '--verbose', '--no-color', '--config <file>', '--profile <name>']) {
        expect(result.stdout).toContain(option);
      }
    });
  }

  it('lists every command', async () => {
    const result = await runCli(['--help']);

    for (const command of COMMANDS) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('loads no heavy module', () => {
    const folder = tempDir();
    folders.push(folder);
    const log = join(folder.path, 'imports.log');
    const hooks = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url));

    for (const args of [['--help'], ['--version'], ['send', '--help'], ['events']]) {
      const run = spawnSync(process.execPath, ['--import', hooks, BIN, ...args], { env: cliEnv({ IMPORT_LOG: log }), encoding: 'utf8' });
      expect(run.status).toBe(0);
    }

    const packages = new Set(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((url) => url.includes('/node_modules/'))
        .map((url) => url.split('/node_modules/').pop()!.split('/')[0]!),
    );
    // commander and chalk are compiled into the program's bundle.
    expect([...packages]).toEqual([]);
  });
});

describe('command modules', () => {
  function commandModules(args: string[]): string[] {
    const folder = tempDir();
    folders.push(folder);
    const log = join(folder.path, 'imports.log');
    const hooks = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url));

    const run = spawnSync(process.execPath, ['--import', hooks, BIN, ...args], { env: cliEnv({ IMPORT_LOG: log }), encoding: 'utf8' });
    expect(run.status).toBe(0);

    // Each command is a chunk of the bundle named after its module, such as `send-4Q3KLBLD.js`.
    // Shared code goes into `chunk-*.js` files.
    const modules = readFileSync(log, 'utf8')
      .split('\n')
      .map((url) => /\/dist\/cli\/([a-z]+)-[A-Z0-9]+\.js$/.exec(url)?.[1])
      .filter((name): name is string => name !== undefined && name !== 'chunk');
    return [...new Set(modules)];
  }

  it('loads none for --version', () => {
    expect(commandModules(['--version'])).toEqual([]);
  });

  it('loads none for --help', () => {
    expect(commandModules(['--help'])).toEqual([]);
  });

  it('loads the named command only', () => {
    const modules = commandModules(['send', '--help']);

    expect(modules).toContain('send');
    expect(modules).not.toContain('listen');
    expect(modules).not.toContain('replay');
  });

  it('loads the command after help', () => {
    const modules = commandModules(['help', 'listen']);

    expect(modules).toContain('listen');
    expect(modules).not.toContain('send');
  });
});

describe('nearest-match suggestions', () => {
  it('suggests a command', async () => {
    const result = await runCli(['sned']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: unknown command 'sned'");
    expect(result.stderr).toContain('(Did you mean send?)');
  });

  it('suggests an event type', async () => {
    const result = await runCli(['generate', 'payment.succeded', '--secret', 'whsec_x']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: unknown event type "payment.succeded"; did you mean "payment.succeeded"?');
  });

  it('suggests an option', async () => {
    const result = await runCli(['send', '--too', 'localhost:3000']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(Did you mean --to?)');
  });
});

describe('global output flags', () => {
  it('gives JSON from every command that reports', async () => {
    const folder = tempDir();
    folders.push(folder);
    const runs = [
      ['--json', 'events'],
      ['--json', 'generate', 'kyc.started', '--secret', 'whsec_x'],
      ['--json', 'config'],
      ['--json', 'completion', 'bash'],
      ['init', '--yes', '--json', '--file', join(folder.path, '.pllay-hooksrc.json')],
    ];

    for (const args of runs) {
      const result = await runCli(args, { cwd: folder.path });
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines.every((line) => typeof JSON.parse(line) === 'object')).toBe(true);
    }
  });

  it('hides progress lines with --quiet', async () => {
    const loud = await runCli(['events']);
    const quiet = await runCli(['events', '--quiet']);

    expect(quiet.stdout).toBe(loud.stdout);
    const init = await runCli(['init', '--yes', '--quiet', '--file', join(tempFolder(), 'x.json')]);
    expect(init.stdout).not.toContain('Next:');
  });

  it('prints debug lines with --verbose', async () => {
    const result = await runCli(['config', '--verbose']);

    expect(result.stderr).toContain('debug: no config file found');
  });

  it('honours FORCE_COLOR and --no-color', async () => {
    const forced = await runCli(['events'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    const plain = await runCli(['events', '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    const noColor = await runCli(['events'], { env: { NO_COLOR: '1' } });

    expect(forced.stdout).toContain('\u001b[');
    expect(plain.stdout).not.toContain('\u001b[');
    expect(noColor.stdout).not.toContain('\u001b[');
  });
});

function tempFolder(): string {
  const folder = tempDir();
  folders.push(folder);
  return folder.path;
}
