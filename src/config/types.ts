/**
 * Contents of a config file: `.pllay-hooksrc`, `pllay-hooks.config.js`,
 * the `pllay-hooks` key of package.json and the other places listed in
 * docs/configuration.md. Every key is optional.
 */
export interface ConfigFile extends ConfigSettings {
  /** Named sets of settings, chosen with `--profile NAME`; each is merged over the top level. */
  profiles?: Record<string, ConfigSettings> | undefined;
}

/** The keys that the top level of a config file and each profile may set. */
export interface ConfigSettings {
  /** URL, `host:port` or port that `send`, `replay` and `check` deliver to, as `--to` takes it. */
  target?: string | number | undefined;
  /** Path added to a target that has none; `/webhooks/pllay` by default. */
  path?: string | undefined;
  /**
   * Signing secret, or several for rotation: the first one signs, and every one is tried when
   * verifying. Prefer `secretEnv`, so that the secret stays out of files.
   */
  secret?: string | string[] | undefined;
  /** Name of the environment variable that contains the secret; `PLLAY_WEBHOOK_SECRET` by default. */
  secretEnv?: string | undefined;
  signature?: {
    /** Header that carries the signature; `pllay-signature` by default. */
    header?: string | undefined;
    /** Text before the hex digest, such as `sha256=`; none by default. */
    prefix?: string | undefined;
  } | undefined;
  /** Extra headers sent with every delivery. */
  headers?: Record<string, string> | undefined;
  /** Time allowed for each delivery: milliseconds, or a string such as `10s`. */
  timeout?: number | string | undefined;
  listen?: {
    host?: string | undefined;
    port?: number | undefined;
    /** Capture log that `listen` appends to. */
    log?: string | undefined;
    /** URL, `host:port` or port that `listen` forwards each captured event to. */
    forwardTo?: string | number | undefined;
    /** Largest body accepted: bytes, or a string such as `512kb` or `2mb`. */
    maxBody?: number | string | undefined;
    /** Time a client has to send the request headers: milliseconds, or a string such as `10s`. */
    headersTimeout?: number | string | undefined;
    /** Time a client has to send the whole request: milliseconds, or a string such as `30s`. */
    requestTimeout?: number | string | undefined;
    /** Whether `listen` serves the web inspector, as `--ui` does. */
    ui?: boolean | undefined;
    /** Port of the web inspector, as `--ui-port`; setting it turns the inspector on. */
    uiPort?: number | undefined;
  } | undefined;
  replay?: {
    /** Attempts per event, the first included. */
    maxAttempts?: number | undefined;
    /** How the wait grows between attempts. */
    backoff?: 'exponential' | 'linear' | 'constant' | undefined;
    /** Wait before the first retry: milliseconds, or a string such as `500ms`. */
    initialDelay?: number | string | undefined;
    /** Longest wait between two attempts: milliseconds, or a string such as `30s`. */
    maxDelay?: number | string | undefined;
    /** Growth of each exponential wait. */
    factor?: number | undefined;
    /** Randomisation of the waits. */
    jitter?: 'none' | 'full' | 'equal' | undefined;
  } | undefined;
  /** Overrides applied to every generated event of a type, keyed by the event type. */
  events?: Record<string, EventOverride> | undefined;
}

/** Changes made to each generated event of one type, before the flags' own changes. */
export interface EventOverride {
  /** Object merged over `data.object`. */
  data?: Record<string, unknown> | undefined;
  /** Dotted paths into the envelope and their values, such as `{ "data.object.currency": "EUR" }`. */
  set?: Record<string, unknown> | undefined;
}

/** Every setting after merging, with durations in milliseconds and sizes in bytes. */
export interface SettingValues {
  target: string | undefined;
  path: string;
  secrets: string[];
  'signature.header': string;
  'signature.prefix': string;
  headers: Record<string, string>;
  timeout: number;
  'listen.host': string;
  'listen.port': number;
  'listen.log': string;
  'listen.forwardTo': string | undefined;
  'listen.maxBody': number;
  'listen.headersTimeout': number;
  'listen.requestTimeout': number;
  'listen.ui': boolean;
  'listen.uiPort': number | undefined;
  'replay.maxAttempts': number;
  'replay.backoff': 'exponential' | 'linear' | 'constant';
  'replay.initialDelay': number;
  'replay.maxDelay': number;
  'replay.factor': number;
  'replay.jitter': 'none' | 'full' | 'equal';
  events: Record<string, EventOverride>;
}

export type SettingKey = keyof SettingValues;

/** Where a value came from, from the highest precedence to the lowest. */
export type SettingSource = 'flag' | 'env' | 'file' | 'default';

export interface ResolvedSetting<T> {
  value: T;
  source: SettingSource;
  /** The flag, variable or file key that set it, such as `--port` or `listen.port in ./.pllay-hooksrc`. */
  origin: string;
}

export type ResolvedSettings = { [K in SettingKey]: ResolvedSetting<SettingValues[K]> };

/** Values given on the command line, already parsed; undefined means the flag was not given. */
export type FlagValues = { [K in SettingKey]?: SettingValues[K] | undefined };

/** Flag names, for saying where a value came from. */
export type FlagNames = { [K in SettingKey]?: string };
