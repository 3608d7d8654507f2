import { EventEmitter } from 'node:events';

import type { Dispatcher } from 'undici';

import { loadUndici } from './http.js';

/** Default time allowed for one delivery attempt, from connect to the end of the snippet. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Number of response body bytes kept for display and logs. */
export const RESPONSE_SNIPPET_BYTES = 1024;

export interface DeliveryRequest {
  url: URL;
  body: Uint8Array | string;
  headers: Record<string, string | string[]>;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Response body bytes to keep in `snippet`; RESPONSE_SNIPPET_BYTES by default. */
  responseBytes?: number;
}

/** What happened to one attempt. Exactly one of `status` and `error` is set. */
export interface AttemptResult {
  ok: boolean;
  status?: number;
  /** Response headers that matter to the caller: `location`, `retry-after` and `content-type`. */
  location?: string;
  retryAfter?: string;
  contentType?: string;
  /** The start of the response body, decoded as UTF-8. */
  snippet?: string;
  error?: DeliveryFailure;
  durationMs: number;
}

export interface DeliveryFailure {
  /** Stable code such as `ECONNREFUSED` or `TIMEOUT`. */
  code: string;
  /** Plain-language description that names the URL. */
  message: string;
}

/**
 * POSTs one body and reports the outcome. Never throws for network
 * failures; they come back as `error`. Redirects are not followed: a 3xx
 * is a failed attempt that carries the `Location`.
 */
export async function deliver(request: DeliveryRequest): Promise<AttemptResult> {
  const dispatcher = request.dispatcher ?? (await loadUndici()).getGlobalDispatcher();
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = new Deadline(timeoutMs, request.signal);
  const started = performance.now();

  try {
    // The dispatcher is called directly. undici's top-level request() would only parse the URL
    // into these two fields and copy the options on every call.
    const { origin, path } = requestTarget(request.url);
    const response = await dispatcher.request({
      origin,
      path,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: deadline,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });

    const snippet = await readSnippet(response, request.responseBytes ?? RESPONSE_SNIPPET_BYTES);
    return attemptResult(response, snippet, elapsed(started));
  } catch (error) {
    return {
      ok: false,
      error: describeFailure(error, request.url, timeoutMs, deadline.timedOut),
      durationMs: elapsed(started),
    };
  } finally {
    deadline.clear();
  }
}

/**
 * Aborts one attempt after `timeoutMs`, or when `outer` aborts. undici
 * takes an EventEmitter that emits `abort` as a request signal, and one
 * costs far less to create than an AbortController with its AbortSignal
 * (about 0.2 µs against 4 to 10 µs in a loop on Node 20.20, 2 cores).
 * Unlike AbortSignal.timeout, the timer is cleared when the attempt ends,
 * so a fast run keeps no timer per delivery pending for the whole timeout.
 */
class Deadline extends EventEmitter {
  aborted = false;
  reason: unknown;
  timedOut = false;
  readonly #timer: NodeJS.Timeout;
  readonly #outer: AbortSignal | undefined;

  constructor(timeoutMs: number, outer?: AbortSignal) {
    super();
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);

    this.#outer = outer;
    if (outer?.aborted) {
      this.abort(outer.reason);
    } else if (outer !== undefined) {
      deadlinesOf(outer).add(this);
    }
  }

  clear(): void {
    clearTimeout(this.#timer);
    if (this.#outer !== undefined) {
      deadlines.get(this.#outer)?.delete(this);
    }
  }

  abort(reason: unknown): void {
    if (!this.aborted) {
      this.aborted = true;
      this.reason = reason;
      this.emit('abort');
    }
  }
}

/**
 * Deadlines in flight by the caller's signal. Each signal gets one abort
 * listener for all of its deadlines, instead of one per attempt: adding and
 * removing a listener per attempt cost more than the set, and with more than
 * 10 attempts in flight Node printed a MaxListenersExceededWarning.
 */
const deadlines = new WeakMap<AbortSignal, Set<Deadline>>();

function deadlinesOf(signal: AbortSignal): Set<Deadline> {
  let set = deadlines.get(signal);
  if (set === undefined) {
    const created = new Set<Deadline>();
    signal.addEventListener('abort', () => created.forEach((deadline) => deadline.abort(signal.reason)), { once: true });
    deadlines.set(signal, created);
    set = created;
  }
  return set;
}

/** Origins and paths by URL object, because a run sends many requests to one URL. */
const targets = new WeakMap<URL, { origin: string; path: string }>();

/** Returns the origin and the path with its query, as undici's request() takes them from a URL. */
function requestTarget(url: URL): { origin: string; path: string } {
  let target = targets.get(url);
  if (target === undefined) {
    target = { origin: url.origin, path: `${url.pathname}${url.search}` };
    targets.set(url, target);
  }
  return target;
}

function attemptResult(response: Dispatcher.ResponseData, snippet: string, durationMs: number): AttemptResult {
  const status = response.statusCode;
  const result: AttemptResult = { ok: status >= 200 && status < 300, status, snippet, durationMs };
  const location = firstValue(response.headers.location);
  const retryAfter = firstValue(response.headers['retry-after']);
  const contentType = firstValue(response.headers['content-type']);

  if (location !== undefined) {
    result.location = location;
  }
  if (retryAfter !== undefined) {
    result.retryAfter = retryAfter;
  }
  if (contentType !== undefined) {
    result.contentType = contentType;
  }
  return result;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads at most `limit` bytes of a body, then drops the rest of the stream.
 * A body whose declared length fits, the common case of a short response,
 * is read whole with `text()`, which skips the stream's async iterator.
 */
async function readSnippet(response: Dispatcher.ResponseData, limit: number): Promise<string> {
  const { body } = response;
  const declared = Number(response.headers['content-length']);
  if (Number.isInteger(declared) && declared <= limit) {
    return body.text();
  }

  const chunks: Buffer[] = [];
  let size = 0;

  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }

  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** Turns a network error into a stable code and a sentence a person can act on. */
export function describeFailure(
  error: unknown,
  url: URL,
  timeoutMs: number,
  timedOut: boolean,
): DeliveryFailure {
  const code = errorCode(error);
  const target = url.href;

  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { code: 'TIMEOUT', message: `no response from ${target} within ${timeoutMs} ms` };
  }

  switch (code) {
    case 'ECONNREFUSED':
      return { code, message: `connection refused: nothing is listening at ${target}` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code: 'ENOTFOUND', message: `host not found: ${url.hostname} does not resolve` };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { code: 'CONNECT_TIMEOUT', message: `could not connect to ${url.host}: the connection timed out` };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { code: 'ECONNRESET', message: `${url.host} closed the connection before it finished answering` };
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return { code: 'ABORTED', message: `delivery to ${target} was cancelled` };
  }

  if (isCertificateError(code)) {
    return {
      code: 'TLS',
      message:
        `TLS handshake with ${url.host} failed: ${tlsReason(error, code)} (${code}); ` +
        'pass --ca-cert FILE to trust its certificate, or --insecure to skip the check',
    };
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
    return { code: 'TLS', message: `TLS handshake with ${url.host} failed (${code}); check that it serves https` };
  }

  const message = error instanceof Error ? error.message : String(error);
  return { code: code || 'NETWORK', message: `request to ${target} failed: ${message}` };
}

/** Node's codes for a certificate that could not be verified, such as DEPTH_ZERO_SELF_SIGNED_CERT. */
function isCertificateError(code: string): boolean {
  return (
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
    code.includes('CERT') ||
    code.startsWith('DEPTH_ZERO') ||
    code.startsWith('UNABLE_TO_')
  );
}

/**
 * Returns OpenSSL's reason for a certificate error, cut at its first
 * semicolon: Node.js 22 and later append advice about their own flags
 * there, which does not apply to pllay-hooks.
 */
function tlsReason(error: unknown, code: string): string {
  const message = error instanceof Error ? error.message.split(';')[0]!.trim() : '';
  return message === '' || message === code ? 'the certificate is not trusted' : message;
}

function errorCode(error: unknown): string {
  let current: unknown = error;

  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    // A DOMException, such as the AbortError of a cancelled signal, has a numeric code.
    const raw: unknown = (current as NodeJS.ErrnoException).code;
    const code = typeof raw === 'string' ? raw : undefined;
    if (code && code !== 'UND_ERR_SOCKET') {
      return code;
    }
    if (code === 'UND_ERR_SOCKET' && !(current.cause instanceof Error)) {
      return code;
    }
    if (current.name === 'AbortError' || current.name === 'TimeoutError') {
      return 'ABORT_ERR';
    }
    current = current.cause;
  }

  return '';
}
