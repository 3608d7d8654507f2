import { Command } from 'commander';

import type { LoadedSettings, ResolvedSetting, SettingKey } from '../config/index.js';
import { maskSecret } from '../signature/index.js';
import type { Output } from '../ui/output.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';
import { commandSettings } from './settings.js';

/** Unit of the settings that hold a number of milliseconds or bytes. */
const UNITS: Partial<Record<SettingKey, string>> = {
  timeout: 'ms',
  'listen.maxBody': 'bytes',
  'listen.headersTimeout': 'ms',
  'listen.requestTimeout': 'ms',
  'replay.initialDelay': 'ms',
  'replay.maxDelay': 'ms',
};

export function configCommand(context: CliContext): Command {
  return new Command('config')
    .description(COMMAND_DESCRIPTIONS.config)
    .option('--profiles', 'list only the names of the profiles in the config file, one per line')
    .addHelpText('after', [
      '',
      'Sources, from the highest precedence: flag, env (environment variable), file, default.',
      'Exits 2 when the config file or an environment variable is invalid, naming the key and the value.',
      '',
      'Examples:',
      '  $ pllay-hooks config',
      '  $ pllay-hooks config --profile staging',
      '  $ pllay-hooks config --profiles',
      '  $ pllay-hooks config --config ./ci/pllay-hooks.json --json',
    ].join('\n'))
    .action(async (flags: { profiles?: boolean }, command: Command) => {
      const output = createOutput(context, command);
      const loaded = await commandSettings(context, command, output);
      if (flags.profiles) {
        output.data({ config_file: loaded.configPath ?? null, profiles: loaded.profiles });
        loaded.profiles.forEach((name) => output.result(name));
        return;
      }

      const rows = Object.entries(loaded.settings).map(([key, setting]) => ({
        key: key as SettingKey,
        setting: setting as ResolvedSetting<unknown>,
      }));

      output.data({
        config_file: loaded.configPath ?? null,
        profile: loaded.profile ?? null,
        profiles: loaded.profiles,
        secret_env: loaded.secretEnv,
        settings: Object.fromEntries(rows.map(({ key, setting }) => [key, { ...setting, value: shownValue(key, setting.value) }])),
      });
      renderTable(output, loaded, rows);
    });
}

/** Returns the value as `config --json` shows it: secrets masked, and null for a setting that is not set. */
function shownValue(key: SettingKey, value: unknown): unknown {
  if (key === 'secrets') {
    return (value as string[]).map(maskSecret);
  }
  // JSON has no undefined, and a left-out key would read as a missing setting rather than an unset one.
  return value ?? null;
}

function renderTable(output: Output, loaded: LoadedSettings, rows: Array<{ key: SettingKey; setting: ResolvedSetting<unknown> }>): void {
  const style = output.style;
  output.result(`${style.bold('Config file')}  ${loaded.configPath ?? style.dim('none found (see: pllay-hooks init)')}`);
  if (loaded.profiles.length > 0) {
    output.result(`${style.bold('Profiles')}     ${loaded.profiles.join(', ')}`);
  }
  if (loaded.profile !== undefined) {
    output.result(`${style.bold('Profile')}      ${loaded.profile}`);
  }
  output.result('');

  const keyWidth = Math.max(...rows.map((row) => row.key.length));
  const values = rows.map(({ key, setting }) => formatValue(key, setting.value));
  const valueWidth = Math.min(40, Math.max(...values.map((value) => value.length)));
  for (const [index, { key, setting }] of rows.entries()) {
    const origin = setting.source === 'default' ? style.dim('default') : `${setting.source}: ${setting.origin}`;
    output.result(`${key.padEnd(keyWidth)}  ${values[index]!.padEnd(valueWidth)}  ${origin}`);
  }
}

function formatValue(key: SettingKey, value: unknown): string {
  if (value === undefined) {
    return '(not set)';
  }
  if (key === 'secrets') {
    const secrets = value as string[];
    return secrets.length === 0 ? '(none)' : secrets.map(maskSecret).join(', ');
  }
  if (typeof value === 'string') {
    return value === '' ? '""' : value;
  }
  if (typeof value === 'number') {
    return UNITS[key] ? `${value} ${UNITS[key]}` : String(value);
  }
  return JSON.stringify(value);
}
