import { UsageError } from '../errors.js';

/** Route of PLLAY's example receiver, used when a target has no path. */
export const DEFAULT_WEBHOOK_PATH = '/webhooks/pllay';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A URL whose authority is followed by a path, even a bare `/`. */
const EXPLICIT_PATH = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i;

/**
 * A bare port, optionally after a colon and before a path, query or fragment: `3000`, `:3000`,
 * `3000/hooks`. Without this rule the URL parser would read `46765/x` as the IPv4 address
 * 0.0.182.173, because WHATWG URLs accept a bare number as an IPv4 host.
 */
const BARE_PORT = /^:?(\d+)([/?#].*)?$/s;

/**
 * Turns a `--to` value into the URL to POST to. Accepts a full URL or a
 * bare `host:port` (or a bare port such as `3000`, `:3000` or `3000/hooks`,
 * which means localhost), and adds the default webhook path when the URL
 * has none. Rejects port 0, which no server can listen on as a target.
 */
export function normalizeTarget(input: string, defaultPath = DEFAULT_WEBHOOK_PATH): URL {
  const trimmed = input.trim();
  const port = BARE_PORT.exec(trimmed);
  const bare = port ? `localhost:${port[1]}${port[2] ?? ''}` : trimmed;
  const withScheme = SCHEME.test(trimmed) ? trimmed : `http://${bare}`;

  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (error) {
    throw invalidTarget(input, 'it is not a URL or host:port', error);
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidTarget(input, `the scheme ${url.protocol} is not http: or https:`);
  }
  if (url.hostname === '') {
    throw invalidTarget(input, 'it has no host');
  }
  if (url.port === '0') {
    throw invalidTarget(input, 'port 0 is not a port that a server can listen on');
  }
  if (!EXPLICIT_PATH.test(withScheme)) {
    url.pathname = defaultPath;
  }

  return url;
}

/** Tells whether a value is a target that `--to` accepts. */
export function isTarget(value: string): boolean {
  try {
    normalizeTarget(value);
    return true;
  } catch {
    return false;
  }
}

function invalidTarget(input: string, why: string, cause?: unknown): UsageError {
  const error = new UsageError(
    'E_INVALID_TARGET',
    `invalid target "${input}": ${why}`,
    'use a URL such as http://localhost:3000/webhooks/pllay, or host:port such as localhost:3000',
  );
  if (cause !== undefined) {
    error.cause = cause;
  }
  return error;
}
