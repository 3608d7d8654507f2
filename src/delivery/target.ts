import { UsageError } from '../errors.js';

/** Route of PLLAY's example receiver, used when a target has no path. */
export const DEFAULT_WEBHOOK_PATH = '/webhooks/pllay';

/**
 * Turns a `--to` value into the URL to POST to. Accepts a full URL or a
 * bare `host:port` (or a bare port), and adds the default webhook path
 * when the URL has none.
 */
export function normalizeTarget(input: string, defaultPath = DEFAULT_WEBHOOK_PATH): URL {
  const trimmed = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)
    ? trimmed
    : `http://${/^\d+$/.test(trimmed) ? `localhost:${trimmed}` : trimmed}`;

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
  if (url.pathname === '/' && !trimmed.endsWith('/')) {
    url.pathname = defaultPath;
  }

  return url;
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
