import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

/** Path prefix of every inspector route. With the inspector on, requests under it are not captured. */
export const INSPECTOR_PREFIX = '/__pllay/';

/** Header that carries the per-run token on API requests. */
export const TOKEN_HEADER = 'x-pllay-token';

/** Largest request body the inspector reads: a replay request is a few hundred bytes. */
export const MAX_REQUEST_BYTES = 16 * 1024;

/** Headers of every inspector response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/**
 * Content security policy of the page: its own script and style only, no
 * inline script, no event handler attributes, no remote anything. Even a
 * payload that reached the DOM as HTML could not run.
 */
export const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  // The page's icon is an empty data: URL, so that browsers do not request /favicon.ico.
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Returns whether a request path belongs to the inspector. */
export function isInspectorPath(url: string): boolean {
  return url.startsWith(INSPECTOR_PREFIX) || url === '/__pllay' || url.startsWith('/__pllay?');
}

/**
 * Checks the Host header against DNS rebinding: a page of another site
 * whose name resolves to this machine sends its own name as Host. Only
 * `localhost` and IP addresses are accepted, on the port the request came
 * in on.
 */
export function isAllowedHost(request: IncomingMessage): boolean {
  const host = request.headers.host;
  if (host === undefined) {
    return false;
  }

  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!match) {
    return false;
  }
  const name = match[1]!.toLowerCase();
  const port = Number(match[2] ?? 80);
  const literal = name.startsWith('[') ? isIPv6(name.slice(1, -1)) : isIPv4(name);
  return (name === 'localhost' || literal) && port === request.socket.localPort;
}

/**
 * Checks that a state-changing request comes from the inspector's own page.
 * Its Origin must be this server as the Host header names it, and a
 * browser's Sec-Fetch-Site, when present, must be same-origin.
 */
export function isSameOrigin(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    return false;
  }
  return request.headers.origin === `http://${request.headers.host}`;
}

/** Returns whether the request's media type is application/json, parameters aside. */
export function isJsonRequest(request: IncomingMessage): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** Compares a presented token with the expected one in constant time. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) {
    return false;
  }
  const presentedBytes = Buffer.from(presented);
  const expectedBytes = Buffer.from(expected);
  return presentedBytes.length === expectedBytes.length && timingSafeEqual(presentedBytes, expectedBytes);
}

/** Reads a request body of up to `limit` bytes, and resolves undefined when it is larger. */
export function readRequestBody(
  request: IncomingMessage,
  limit = MAX_REQUEST_BYTES,
): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;

    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendBody(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/** Sends an error as `{"error": message, "hint": fix}`. */
export function sendError(response: ServerResponse, status: number, message: string, hint?: string): void {
  sendJson(response, status, hint === undefined ? { error: message } : { error: message, hint });
}

export function sendBody(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) {
    return;
  }

  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
