import { relative } from 'node:path';

import { ConfigError } from '../errors.js';

import type { ParsedConfig } from './schema.js';
import type { FlagNames, FlagValues, ResolvedSettings, SettingValues } from './types.js';

export * from './defaults.js';
export * from './events.js';
export * from './write.js';
export type * from './types.js';

/** Environment variables that name the config file and the profile, like --config and --profile. */
export const CONFIG_ENV = 'PLLAY_HOOKS_CONFIG';
export const PROFILE_ENV = 'PLLAY_HOOKS_PROFILE';

export interface LoadSettingsOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Config file given with --config; searched for when absent. */
  configPath?: string | undefined;
  profile?: string | undefined;
  /** Values of the command's flags; undefined ones were not given. */
  flags?: FlagValues;
  /** Each flag's name, such as `--to` for `target`, for saying where a value came from. */
  flagNames?: FlagNames;
}

export interface LoadedSettings {
  /** The config file that was used, if any. */
  configPath: string | undefined;
  profile: string | undefined;
  /** Names of the profiles in the config file, in the file's order. */
  profiles: string[];
  settings: ResolvedSettings;
  values: SettingValues;
  /** Environment variable that the secret is read from. */
  secretEnv: string;
  /** Notes for the user, such as a secret in a file that git would commit. Never contains a secret. */
  warnings: string[];
}

/**
 * Finds, loads and validates the config file, then merges every setting:
 * flags, then environment variables, then the file, then defaults. The
 * loaders and the schema library are imported here, on first use, so that
 * commands that need no settings start fast.
 */
export async function loadSettings(options: LoadSettingsOptions): Promise<LoadedSettings> {
  const [{ loadConfigFile }, { validateConfig }, { resolveSettings, settingValues }] = await Promise.all([
    import('./file.js'),
    import('./validate.js'),
    import('./resolve.js'),
  ]);

  const configPath = nonEmpty(options.configPath) ?? nonEmpty(options.env[CONFIG_ENV]);
  if (options.profile === '') {
    throw new ConfigError('E_PROFILE_INVALID', '--profile', '--profile "" names no profile', {
      hint: 'give a profile name such as --profile staging (pllay-hooks config --profiles lists them), or leave out --profile',
    });
  }
  const profile = options.profile ?? nonEmpty(options.env[PROFILE_ENV]);
  const file = await loadConfigFile({ cwd: options.cwd, explicitPath: configPath, env: options.env });
  const config = file === undefined ? undefined : validateConfig(file.contents, file.path);

  const resolution = resolveSettings({
    config,
    configPath: file?.path,
    profile,
    env: options.env,
    ...(options.flags ? { flags: options.flags } : {}),
    ...(options.flagNames ? { flagNames: options.flagNames } : {}),
  });

  const warnings = [...resolution.warnings];
  if (file !== undefined && containsSecret(config)) {
    const warning = await committedSecretCheck(file.path, options.cwd, resolution.secretEnv);
    warnings.unshift(...(warning === undefined ? [] : [warning]));
  }

  return {
    configPath: file?.path,
    profile,
    profiles: Object.keys(config?.profiles ?? {}),
    settings: resolution.settings,
    values: settingValues(resolution.settings),
    secretEnv: resolution.secretEnv,
    warnings,
  };
}

/**
 * Returns a warning when a config file that contains a secret would be
 * committed by git, and undefined otherwise.
 */
export async function committedSecretCheck(path: string, cwd: string, secretEnv: string): Promise<string | undefined> {
  const { isCommittable } = await import('./git.js');
  return (await isCommittable(path)) ? committedSecretWarning(relative(cwd, path) || path, secretEnv) : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function containsSecret(config: ParsedConfig | undefined): boolean {
  if (config === undefined) {
    return false;
  }
  return config.secret !== undefined || Object.values(config.profiles ?? {}).some((profile) => profile.secret !== undefined);
}

function committedSecretWarning(path: string, secretEnv: string): string {
  return (
    `${path} contains a secret and git does not ignore it, so the secret can end up in a commit. ` +
    `Move it to the environment: delete "secret" from the file and set ${secretEnv} instead ` +
    `(export ${secretEnv}=...), or add ${path} to .gitignore`
  );
}
