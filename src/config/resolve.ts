import { ConfigError } from '../errors.js';
import { editDistance } from '../events/catalog.js';
import { DEFAULT_SECRET_ENV, DEFAULTS } from './defaults.js';
import { envSchemas, type ParsedConfig, type ParsedSettings } from './schema.js';
import { formatKeyPath } from './validate.js';
import type {
  EventOverride,
  FlagNames,
  FlagValues,
  ResolvedSetting,
  ResolvedSettings,
  SettingKey,
  SettingValues,
} from './types.js';

/** Environment variables that set a value, named in `pllay-hooks config` and the docs. */
export const SETTING_ENV: { [K in keyof typeof envSchemas]: string } = {
  target: 'PLLAY_HOOKS_TARGET',
  'signature.header': 'PLLAY_HOOKS_SIGNATURE_HEADER',
  'signature.prefix': 'PLLAY_HOOKS_SIGNATURE_PREFIX',
  timeout: 'PLLAY_HOOKS_TIMEOUT',
  'listen.host': 'PLLAY_HOOKS_HOST',
  'listen.port': 'PLLAY_HOOKS_PORT',
  'listen.log': 'PLLAY_HOOKS_LOG',
  'listen.forwardTo': 'PLLAY_HOOKS_FORWARD_TO',
};

export interface ResolveOptions {
  /** The validated config file, when one was found. */
  config?: ParsedConfig | undefined;
  /** Path of that file, for saying where values came from. */
  configPath?: string | undefined;
  profile?: string | undefined;
  env: NodeJS.ProcessEnv;
  flags?: FlagValues;
  flagNames?: FlagNames;
}

export interface Resolution {
  settings: ResolvedSettings;
  /** Name of the environment variable that the secret is read from. */
  secretEnv: string;
  /** Notes about the values, such as a secret with stray whitespace. Never contains a secret. */
  warnings: string[];
}

/** Merges the settings in order of precedence: flags, then the environment, then the file, then defaults. */
export function resolveSettings(options: ResolveOptions): Resolution {
  const layers = fileLayers(options);
  const secretEnv = fileValue<string>(layers, ['secretEnv'])?.value ?? DEFAULT_SECRET_ENV;
  const warnings: string[] = [];

  const special: Partial<Record<SettingKey, ResolvedSetting<unknown>>> = {
    secrets: resolveSecrets(options, layers, secretEnv),
    headers: resolveHeaders(options, layers),
    events: resolveEvents(layers),
  };
  const settings = {} as Record<SettingKey, ResolvedSetting<unknown>>;
  for (const key of Object.keys(DEFAULTS) as SettingKey[]) {
    settings[key] = special[key] ?? resolveOne(key, options, layers);
  }

  warnings.push(...secretWhitespaceWarnings(settings.secrets as ResolvedSetting<string[]>));
  return { settings: settings as ResolvedSettings, secretEnv, warnings };
}

/** One level of the config file: the profile, then the top level. */
interface FileLayer {
  values: ParsedSettings;
  /** Key path before the setting's own path, such as `profiles.staging`. */
  prefix: string[];
  file: string;
}

function fileLayers(options: ResolveOptions): FileLayer[] {
  const { config, configPath, profile } = options;
  const file = configPath ?? '(config)';

  if (profile !== undefined && config?.profiles?.[profile] === undefined) {
    throw unknownProfile(profile, config, configPath);
  }
  if (config === undefined) {
    return [];
  }

  const { profiles, ...top } = config;
  const layers: FileLayer[] = [{ values: top, prefix: [], file }];
  if (profile !== undefined) {
    layers.unshift({ values: profiles![profile]!, prefix: ['profiles', profile], file });
  }
  return layers;
}

function unknownProfile(profile: string, config: ParsedConfig | undefined, configPath: string | undefined): ConfigError {
  const names = Object.keys(config?.profiles ?? {});
  if (config === undefined) {
    return new ConfigError('E_PROFILE_NOT_FOUND', '--profile', `profile "${profile}" not found: no config file was found`, {
      hint: 'create one with pllay-hooks init, or name one with --config FILE',
    });
  }

  const nearest = names.find((name) => editDistance(name, profile) <= 2);
  return new ConfigError(
    'E_PROFILE_NOT_FOUND',
    configPath ?? '--profile',
    `profile "${profile}" not found in ${configPath}` + (nearest ? `; did you mean "${nearest}"?` : ''),
    { hint: names.length > 0 ? `profiles in the file: ${names.join(', ')}` : 'the file has no "profiles" key' },
  );
}

function fileValue<T>(layers: FileLayer[], path: string[]): { value: T; origin: string } | undefined {
  for (const layer of layers) {
    const value = valueAt(layer.values, path);
    if (value !== undefined) {
      return { value: value as T, origin: `${formatKeyPath([...layer.prefix, ...path])} in ${layer.file}` };
    }
  }
  return undefined;
}

function valueAt(object: unknown, path: string[]): unknown {
  let current = object;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function resolveOne(key: SettingKey, options: ResolveOptions, layers: FileLayer[]): ResolvedSetting<unknown> {
  const flag = options.flags?.[key];
  if (flag !== undefined) {
    return { value: flag, source: 'flag', origin: options.flagNames?.[key] ?? 'command line' };
  }

  const fromEnv = envValue(key, options.env);
  if (fromEnv !== undefined) {
    return fromEnv;
  }

  const fromFile = fileValue(layers, key.split('.'));
  if (fromFile !== undefined) {
    return { value: fromFile.value, source: 'file', origin: fromFile.origin };
  }
  return { value: DEFAULTS[key], source: 'default', origin: 'default' };
}

function envValue(key: SettingKey, env: NodeJS.ProcessEnv): ResolvedSetting<unknown> | undefined {
  if (!(key in SETTING_ENV)) {
    return undefined;
  }

  const name = SETTING_ENV[key as keyof typeof SETTING_ENV];
  const text = env[name];
  if (text === undefined || text === '') {
    return undefined;
  }

  const parsed = envSchemas[key as keyof typeof envSchemas].safeParse(text);
  if (!parsed.success) {
    throw new ConfigError('E_ENV_INVALID', name, `invalid environment variable ${name}="${text}": ${parsed.error.issues[0]!.message}`, {
      hint: `fix or unset ${name}`,
    });
  }
  return { value: parsed.data, source: 'env', origin: name };
}

function resolveSecrets(options: ResolveOptions, layers: FileLayer[], secretEnv: string): ResolvedSetting<string[]> {
  // An empty --secret counts as absent, as an unset variable expanded in `--secret "$VAR"` would be.
  const flag = (options.flags?.secrets ?? []).filter((secret) => secret !== '');
  if (flag.length > 0) {
    return { value: flag, source: 'flag', origin: options.flagNames?.secrets ?? '--secret' };
  }

  const fromEnv = options.env[secretEnv];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { value: [fromEnv], source: 'env', origin: secretEnv };
  }

  const fromFile = fileValue<string | string[]>(layers, ['secret']);
  if (fromFile !== undefined) {
    const value = typeof fromFile.value === 'string' ? [fromFile.value] : [...fromFile.value];
    return { value, source: 'file', origin: fromFile.origin };
  }
  return { value: [], source: 'default', origin: 'default' };
}

/** Headers from the file (the profile over the top level), then `--header` flags over them. */
function resolveHeaders(options: ResolveOptions, layers: FileLayer[]): ResolvedSetting<Record<string, string>> {
  const merged: Record<string, string> = {};
  const origins: string[] = [];

  for (const layer of [...layers].reverse()) {
    if (layer.values.headers !== undefined) {
      Object.assign(merged, lowerCaseKeys(layer.values.headers));
      origins.unshift(`${formatKeyPath([...layer.prefix, 'headers'])} in ${layer.file}`);
    }
  }

  const flag = options.flags?.headers;
  if (flag !== undefined && Object.keys(flag).length > 0) {
    Object.assign(merged, lowerCaseKeys(flag));
    origins.unshift(options.flagNames?.headers ?? '--header');
  }

  if (origins.length === 0) {
    return { value: {}, source: 'default', origin: 'default' };
  }
  return { value: merged, source: flag && Object.keys(flag).length > 0 ? 'flag' : 'file', origin: origins.join(', ') };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** Event overrides from the file; a profile's override of a type replaces the top level's. */
function resolveEvents(layers: FileLayer[]): ResolvedSetting<Record<string, EventOverride>> {
  const merged: Record<string, EventOverride> = {};
  const origins: string[] = [];

  for (const layer of [...layers].reverse()) {
    if (layer.values.events !== undefined) {
      Object.assign(merged, layer.values.events);
      origins.unshift(`${formatKeyPath([...layer.prefix, 'events'])} in ${layer.file}`);
    }
  }

  if (origins.length === 0) {
    return { value: {}, source: 'default', origin: 'default' };
  }
  return { value: merged, source: 'file', origin: origins.join(', ') };
}

function secretWhitespaceWarnings(secrets: ResolvedSetting<string[]>): string[] {
  return secrets.value
    .filter((secret) => secret !== secret.trim())
    .map(() =>
      `the secret from ${secrets.origin} starts or ends with whitespace or a line break; ` +
      'it is used as given, which is rarely intended',
    );
}

/** Returns the plain values of resolved settings. */
export function settingValues(settings: ResolvedSettings): SettingValues {
  return Object.fromEntries(Object.entries(settings).map(([key, setting]) => [key, setting.value])) as unknown as SettingValues;
}
