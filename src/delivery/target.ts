import { UsageError } from '../errors.js';

/** Route of PLLAY's example receiver, used when a target has no path. */
export const DEFAULT_WEBHOOK_PATH = '/webhooks/pllay';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A URL whose authority is followed by a path, even a bare `/`. */
const EXPLICIT_PATH = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i;

/**
 * Turns a `--to` value into the URL to POST to. Accepts a full URL or a
 * bare `host:port` (or a bare port such as `3000` or `:3000`), and adds the
 * default webhook path when the URL has none.
 */
export function normalizeTarget(input: string, defaultPath = DEFAULT_WEBHOOK_PATH): URL {
  const trimmed = input.trim();
  const bare = /^:?\d+$/.test(trimmed) ? `localhost:${trimmed.replace(/^:/, '')}` : trimmed;
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
