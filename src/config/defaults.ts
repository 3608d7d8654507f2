import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from '../capture/server.js';
import { DEFAULT_TIMEOUT_MS } from '../delivery/deliver.js';
import { DEFAULT_WEBHOOK_PATH } from '../delivery/target.js';
import { SECRET_ENV } from '../secret.js';
import { SIGNATURE_HEADER } from '../signature/index.js';
import type { SettingValues } from './types.js';

/** Port of `listen` unless configured; apps themselves often take 3000. */
export const DEFAULT_LISTEN_PORT = 7575;

export const DEFAULT_CAPTURE_LOG = '.pllay-hooks/capture.ndjson';

/** Environment variable that contains the signing secret unless `secretEnv` names another. */
export const DEFAULT_SECRET_ENV = SECRET_ENV;

/**
 * Value of each setting that neither a flag, the environment nor a config
 * file sets. The replay values are the backoff that replay starts from:
 * 5 attempts, 500 ms doubling up to 30 s, no jitter.
 */
export const DEFAULTS: SettingValues = {
  target: undefined,
  path: DEFAULT_WEBHOOK_PATH,
  secrets: [],
  'signature.header': SIGNATURE_HEADER,
  'signature.prefix': '',
  headers: {},
  timeout: DEFAULT_TIMEOUT_MS,
  'listen.host': '127.0.0.1',
  'listen.port': DEFAULT_LISTEN_PORT,
  'listen.log': DEFAULT_CAPTURE_LOG,
  'listen.forwardTo': undefined,
  'listen.maxBody': DEFAULT_MAX_BODY_BYTES,
  'listen.headersTimeout': DEFAULT_HEADERS_TIMEOUT_MS,
  'listen.requestTimeout': DEFAULT_REQUEST_TIMEOUT_MS,
  'listen.ui': false,
  'listen.uiPort': undefined,
  'replay.maxAttempts': 5,
  'replay.backoff': 'exponential',
  'replay.initialDelay': 500,
  'replay.maxDelay': 30_000,
  'replay.factor': 2,
  'replay.jitter': 'none',
  events: {},
};
