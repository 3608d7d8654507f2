import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { envelopeIdentity } from '../events/envelope.js';
import { tryParseJson } from '../json.js';
import { listenOn } from '../listen-on.js';
import type { AttemptResult } from '../delivery/deliver.js';
import { encodeBody, type CaptureRecord, type DeliveryRecord, type LogWriter } from '../log/index.js';
import { fingerprint, verify, type VerifyResult } from '../signature/index.js';
import { forwardRecord, relayAnswer, type Forwarder } from './forward.js';
import { findSignatureHeader, signatureHeaderNames } from './signature-header.js';

/** Largest body accepted by default: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Time a client has to send all request headers by default: 10 s. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/** Time a client has to send the whole request by default: 30 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Paths where GET returns a health report instead of 405. */
const HEALTH_PATHS = new Set(['/', '/health', '/healthz']);

/** Response body for a captured event, serialised once. */
const RECEIVED = JSON.stringify({ received: true });

export interface CaptureServerOptions {
  secrets: readonly string[];
  log: LogWriter;
  maxBodyBytes?: number;
  /** Respond 401 to an invalid or missing signature instead of 200. */
  rejectInvalid?: boolean;
  /** A signature header name to look for before the two standard ones. */
  signatureHeader?: string;
  /** A value prefix to accept besides `sha256=`. */
  signaturePrefix?: string;
  /** Milliseconds a client has to send all request headers. */
  headersTimeoutMs?: number;
  /** Milliseconds a client has to send the whole request. */
  requestTimeoutMs?: number;
  /** Passes each captured request on to an app and logs its response as a delivery record. */
  forwarder?: Forwarder;
  onEvent?: (event: CaptureEvent) => void;
  /**
   * Sees each request first, and returns true when it responded to it, as
   * the inspector does under its reserved path. Without it, requests go
   * straight to capture.
   */
  intercept?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

/** What the capture server reports to its caller, which chooses how to show it. */
export type CaptureEvent =
  | { kind: 'captured'; record: CaptureRecord; verification: VerifyResult; bytes: Buffer }
  | { kind: 'too-large'; path: string; limit: number }
  | { kind: 'unsupported-encoding'; path: string; encoding: string }
  | { kind: 'aborted'; path: string }
  | { kind: 'log-failed'; error: Error }
  | { kind: 'forwarded'; capture: CaptureRecord; delivery: DeliveryRecord; attempt: AttemptResult }
  | { kind: 'not-forwarded'; capture: CaptureRecord; reason: string };

export interface RunningCaptureServer {
  server: Server;
  /** Base URL, such as http://127.0.0.1:7575 (IPv6 hosts in brackets). */
  url: string;
  port: number;
  /**
   * Stops accepting, waits for open requests to be logged and for forwards
   * in flight to finish, and closes idle connections.
   */
  close(): Promise<void>;
}

/** Starts the capture server and resolves once it is listening. */
export async function startCaptureServer(
  options: CaptureServerOptions & { host: string; port: number },
): Promise<RunningCaptureServer> {
  const { server, forwards } = buildServer(options);

  const { url, port } = await listenOn(server, options.port, options.host);
  return {
    server,
    url,
    port,
    close: async () => {
      await closeServer(server);
      await Promise.all(forwards);
    },
  };
}

/** Builds the HTTP server without listening, for callers that manage it themselves. */
export function createCaptureServer(options: CaptureServerOptions): Server {
  return buildServer(options).server;
}

/** Forwards in flight, which closing the server waits for. */
type PendingForwards = Set<Promise<void>>;

function buildServer(options: CaptureServerOptions): { server: Server; forwards: PendingForwards } {
  const forwards: PendingForwards = new Set();
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node checks both timeouts only every connectionsCheckingInterval (30 s by default), so a
  // short timeout would otherwise fire up to 30 s late.
  const checkEvery = Math.min(1_000, Math.max(50, Math.floor(Math.min(headersTimeout, requestTimeout) / 4)));
  const receive = (request: IncomingMessage, response: ServerResponse): void => {
    handleRequest(request, response, options, forwards);
  };
  const intercept = options.intercept;
  const server = createServer(
    { connectionsCheckingInterval: checkEvery },
    intercept === undefined
      ? receive
      : (request, response) => {
          if (!intercept(request, response)) {
            receive(request, response);
          }
        },
  );

  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  return { server, forwards };
}

function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  options: CaptureServerOptions,
  forwards: PendingForwards,
): void {
  const path = request.url ?? '/';

  if (request.method === 'GET' || request.method === 'HEAD') {
    if (HEALTH_PATHS.has(path.split('?')[0]!)) {
      sendJson(response, 200, { status: 'ok', service: 'pllay-hooks listen' });
    } else {
      sendJson(response, 405, { error: 'method not allowed: send webhooks with POST' }, { allow: 'POST' });
    }
    return;
  }
  if (request.method !== 'POST') {
    sendJson(response, 405, { error: `method ${request.method} not allowed: send webhooks with POST` }, { allow: 'POST' });
    return;
  }

  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    rejectEncoding(request, response, options, encoding);
    return;
  }

  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    rejectTooLarge(request, response, options, limit);
    return;
  }

  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;

  request.on('data', (chunk: Buffer) => {
    // After a 413 the rest of the body is read and dropped until the socket closes.
    if (done) {
      return;
    }
    size += chunk.length;
    if (size > limit) {
      done = true;
      chunks.length = 0;
      rejectTooLarge(request, response, options, limit);
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (done) {
      return;
    }
    done = true;
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    void capture(request, response, bytes, options, forwards);
  });
  request.on('aborted', () => {
    if (!done) {
      done = true;
      options.onEvent?.({ kind: 'aborted', path });
    }
  });
  request.on('error', () => {
    done = true;
  });
}

async function capture(
  request: IncomingMessage,
  response: ServerResponse,
  bytes: Buffer,
  options: CaptureServerOptions,
  forwards: PendingForwards,
): Promise<void> {
  const record = buildRecord(request, bytes, options);
  const verification = record.verification;

  try {
    await options.log.append(record.record);
  } catch (error) {
    options.onEvent?.({ kind: 'log-failed', error: error as Error });
    sendJson(response, 500, { error: 'the capture log could not be written' });
    return;
  }

  options.onEvent?.({ kind: 'captured', record: record.record, verification, bytes });

  const forwarder = options.forwarder;
  if (forwarder && forwarder.accepts(verification)) {
    const forwarded = forwardCapture(request, bytes, record.record, forwarder, options);
    if (forwarder.options.sync) {
      relayAnswer(response, await forwarded);
      return;
    }
    const pending = forwarded.then(() => undefined);
    forwards.add(pending);
    void pending.finally(() => forwards.delete(pending));
  } else if (forwarder) {
    const reason = `signature ${verification.verdict}; pass --forward-invalid to forward it anyway`;
    options.onEvent?.({ kind: 'not-forwarded', capture: record.record, reason });
  }

  const rejected = verification.verdict === 'invalid' || verification.verdict === 'missing';
  if (options.rejectInvalid && rejected) {
    sendJson(response, 401, { error: `signature ${verification.verdict}: ${verification.reason}` });
  } else {
    sendText(response, 200, RECEIVED);
  }
}

/** Sends a captured request to the app, and logs and reports the app's response. */
async function forwardCapture(
  request: IncomingMessage,
  bytes: Buffer,
  capture: CaptureRecord,
  forwarder: Forwarder,
  options: CaptureServerOptions,
): Promise<AttemptResult> {
  const at = new Date();
  const attempt = await forwarder.forward(request, bytes);
  const delivery = forwardRecord(capture, bytes, attempt, at, forwarder.options.url);

  try {
    await options.log.append(delivery);
  } catch (error) {
    options.onEvent?.({ kind: 'log-failed', error: error as Error });
  }
  options.onEvent?.({ kind: 'forwarded', capture, delivery, attempt });
  return attempt;
}

function buildRecord(
  request: IncomingMessage,
  bytes: Buffer,
  options: CaptureServerOptions,
): { record: CaptureRecord; verification: VerifyResult } {
  const { secrets } = options;
  const header = findSignatureHeader(request, signatureHeaderNames(options.signatureHeader));
  const verification: VerifyResult =
    header.kind === 'repeated'
      ? { verdict: 'invalid', reason: `signature header sent ${header.count} times; expected once` }
      : verify(bytes, header.kind === 'present' ? header.value : undefined, secrets, {
          ...(options.signaturePrefix ? { prefix: options.signaturePrefix } : {}),
        });

  // The body is parsed only after it was verified, and only to find the id and type.
  const body = encodeBody(bytes);
  const identity = envelopeIdentity(tryParseJson('body' in body ? body.body : bytes));
  const record: CaptureRecord = {
    kind: 'capture',
    event_id: identity.id,
    type: identity.type,
    received_at: new Date().toISOString(),
    method: request.method ?? 'POST',
    path: request.url ?? '/',
    headers: request.headers as Record<string, string | string[]>,
    size: bytes.length,
    ...body,
    signature: verification.verdict,
    signature_reason: verification.reason,
  };

  if (header.kind !== 'absent') {
    record.signature_header = header.name;
  }
  if (verification.form) {
    record.signature_form = verification.form;
  }
  if (verification.secretIndex !== undefined && secrets.length > 1) {
    record.secret_fingerprint = fingerprint(secrets[verification.secretIndex]!);
  }
  if (request.socket.remoteAddress) {
    record.remote_address = request.socket.remoteAddress;
  }

  return { record, verification };
}

function rejectTooLarge(
  request: IncomingMessage,
  response: ServerResponse,
  options: CaptureServerOptions,
  limit: number,
): void {
  options.onEvent?.({ kind: 'too-large', path: request.url ?? '/', limit });
  rejectAndClose(request, response, 413, { error: `body larger than the limit of ${limit} bytes` });
}

/**
 * Rejects a compressed body with 415. PLLAY signs and sends the raw body,
 * and decoding a body would mean verifying bytes that were never sent.
 */
function rejectEncoding(
  request: IncomingMessage,
  response: ServerResponse,
  options: CaptureServerOptions,
  encoding: string,
): void {
  options.onEvent?.({ kind: 'unsupported-encoding', path: request.url ?? '/', encoding });
  const error = `content-encoding ${encoding} is not supported: send the body uncompressed, as PLLAY does`;
  rejectAndClose(request, response, 415, { error }, { 'accept-encoding': 'identity' });
}

/** Responds before the body is read, then closes the connection instead of reading the rest. */
function rejectAndClose(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  response.shouldKeepAlive = false;
  sendJson(response, status, body, { ...headers, connection: 'close' });
  response.on('finish', () => request.socket.destroySoon());
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  sendText(response, status, JSON.stringify(body), headers);
}

/** Sends a JSON response body that is already serialised, unless a response was already sent. */
function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) {
    return;
  }

  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
