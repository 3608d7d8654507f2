import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Dispatcher } from 'undici';

import { deliver, RESPONSE_SNIPPET_BYTES, type AttemptResult } from '../delivery/deliver.js';
import { connectTimeoutFor, createDispatcher, type TlsOptions } from '../delivery/http.js';
import { attemptRecord } from '../delivery/outcome.js';
import { encodeBody, type CaptureRecord, type DeliveryRecord } from '../log/index.js';
import type { VerifyResult } from '../signature/index.js';

/** Default time allowed for the app to respond to a forwarded request. */
export const DEFAULT_FORWARD_TIMEOUT_MS = 30_000;

/** Largest app response body relayed to the sender with --forward-sync. */
export const RELAY_BODY_BYTES = 1024 * 1024;

/**
 * Request headers that are not passed on: the hop-by-hop headers of
 * RFC 9110 section 7.6.1, `host` (the app's own host is sent instead),
 * and `content-length` and `expect`, which the HTTP client sets itself.
 */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

export interface ForwardOptions {
  url: URL;
  /** Wait for the app, and respond to the sender with the app's status and body. */
  sync?: boolean;
  /** Forward requests whose signature is invalid or missing as well. */
  forwardInvalid?: boolean;
  timeoutMs?: number;
  tls?: TlsOptions;
}

/**
 * Returns the headers of a captured request to pass on to the app: every
 * header as it arrived, the signature included, less the hop-by-hop ones
 * and those that the `connection` header names.
 */
export function forwardHeaders(request: IncomingMessage): Record<string, string | string[]> {
  const named = String(request.headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const headers: Record<string, string | string[]> = {};

  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values === undefined || NOT_FORWARDED.has(name) || named.includes(name)) {
      continue;
    }
    headers[name] = values.length === 1 ? values[0]! : values;
  }
  return headers;
}

/** Passes captured requests on to an app, one independent request each. */
export class Forwarder {
  readonly options: ForwardOptions;
  #dispatcher: Promise<Dispatcher> | undefined;

  constructor(options: ForwardOptions) {
    this.options = options;
  }

  /** Returns whether a request with this verdict is passed on. */
  accepts(verification: VerifyResult): boolean {
    const rejected = verification.verdict === 'invalid' || verification.verdict === 'missing';
    return !rejected || this.options.forwardInvalid === true;
  }

  /** Sends one captured request to the app. Failures come back in the result, never thrown. */
  async forward(request: IncomingMessage, bytes: Buffer): Promise<AttemptResult> {
    this.#dispatcher ??= createDispatcher({
      connectTimeoutMs: connectTimeoutFor(this.options.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS),
      ...(this.options.tls ? { tls: this.options.tls } : {}),
    });

    return deliver({
      url: this.options.url,
      body: bytes,
      headers: forwardHeaders(request),
      dispatcher: await this.#dispatcher,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS,
      responseBytes: this.options.sync ? RELAY_BODY_BYTES : RESPONSE_SNIPPET_BYTES,
    });
  }

  async close(): Promise<void> {
    if (this.#dispatcher) {
      await (await this.#dispatcher).close();
    }
  }
}

/** Builds the delivery record of a forward, for the capture log beside its capture record. */
export function forwardRecord(
  capture: CaptureRecord,
  bytes: Buffer,
  attempt: AttemptResult,
  at: Date,
  target: URL,
): DeliveryRecord {
  const logged =
    attempt.snippet === undefined
      ? attempt
      : { ...attempt, snippet: attempt.snippet.slice(0, RESPONSE_SNIPPET_BYTES) };

  return {
    kind: 'delivery',
    source: 'forward',
    event_id: capture.event_id,
    type: capture.type,
    ...encodeBody(bytes),
    signature: capture.signature,
    ...(capture.signature_reason === undefined
      ? {}
      : { signature_reason: capture.signature_reason }),
    target: target.href,
    ok: attempt.ok,
    attempts: [attemptRecord(logged, at)],
  };
}

/**
 * Responds to the sender with the app's response: its status, content
 * type and body. When the app could not be reached, the sender gets 504 for
 * a timeout and 502 otherwise, with the reason.
 */
export function relayAnswer(response: ServerResponse, attempt: AttemptResult): void {
  if (response.headersSent) {
    return;
  }

  if (attempt.status === undefined) {
    const status = attempt.error?.code === 'TIMEOUT' ? 504 : 502;
    const text = JSON.stringify({
      error: `forward to the app failed: ${attempt.error?.message ?? 'unknown error'}`,
    });
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
    return;
  }

  const body = attempt.snippet ?? '';
  response.writeHead(attempt.status, {
    ...(attempt.contentType === undefined ? {} : { 'content-type': attempt.contentType }),
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
