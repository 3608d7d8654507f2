import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';

import type { CaptureEvent } from '../capture/server.js';
import { normalizeTarget } from '../delivery/target.js';
import { PllayError } from '../errors.js';
import { EVENT_TYPE_NAMES } from '../events/catalog.js';
import type { DeliveryRecord, LogWriter } from '../log/index.js';
import type { BackoffPolicy, EventResult, ReplayProgress, Signing } from '../replay/index.js';
import { VERSION } from '../version.js';
import { loadAssets, type InspectorAssets } from './assets.js';
import { describeEntry } from './detail.js';
import { EntryStore, summarizeEntry, type Entry } from './entries.js';
import { EventStream } from './event-stream.js';
import { readRecentRecords } from './history.js';
import {
  INSPECTOR_PREFIX,
  isAllowedHost,
  isInspectorPath,
  isJsonRequest,
  isSameOrigin,
  PAGE_POLICY,
  readRequestBody,
  SECURITY_HEADERS,
  sendBody,
  sendError,
  sendJson,
  TOKEN_HEADER,
  tokenMatches,
} from './http.js';
import { replayBlocker, replayEntry } from './replay.js';

export interface InspectorOptions {
  /** The capture log, which is read back at start and gets the delivery record of each replay. */
  log: LogWriter;
  /** Secrets of listen. The first one signs replays, and none of them is ever sent to the page. */
  secrets: readonly string[];
  /** Header that replays carry their fresh signature in; pllay-signature by default. */
  signatureHeader?: string;
  /** Text before the hex digest of a fresh signature, also accepted when explaining verdicts. */
  signaturePrefix?: string;
  /** Target of listen --forward-to, which is the default target of a replay. */
  forwardTarget?: URL;
  /** Backoff policy of replays, by default that of `replay`. */
  policy?: BackoffPolicy;
  /** Time allowed for each replay attempt. */
  timeoutMs?: number;
  maxEntries?: number;
  maxBytes?: number;
  /** Log lines read back at start. */
  historyLines?: number;
  /** Token that API requests must carry, random by default. */
  token?: string;
  /** Folder of the page's files, by default the package's inspector/ folder. */
  assetsFolder?: URL;
  onEvent?: (event: InspectorEvent) => void;
}

/** Event that the inspector reports to listen, which shows it in the terminal. */
export type InspectorEvent =
  | { kind: 'replay-attempt'; entry: Entry; target: URL; progress: Extract<ReplayProgress, { kind: 'attempt' }> }
  | {
      kind: 'replayed';
      entry: Entry;
      target: URL;
      result: EventResult;
      delivery?: DeliveryRecord;
      logError?: Error;
    }
  | { kind: 'request-failed'; method: string; path: string; error: Error };

/** Body of a replay request from the page. */
interface ReplayRequest {
  url?: string;
  keepSignature: boolean;
}

const API = `${INSPECTOR_PREFIX}api/`;
const EVENT_PATH = /^events\/(\d+)$/;
const REPLAY_PATH = /^events\/(\d+)\/replay$/;

/**
 * The web inspector of listen. It keeps the recent captures in memory and
 * serves the page and its API under INSPECTOR_PREFIX. It streams new
 * captures to open pages, and replays an event on request.
 */
export class Inspector {
  readonly token: string;
  readonly store: EntryStore;
  readonly #options: InspectorOptions;
  readonly #assets: InspectorAssets;
  readonly #stream = new EventStream();
  readonly #replays = new Set<Promise<unknown>>();
  readonly #stop = new AbortController();
  readonly #cancel = new AbortController();

  constructor(options: InspectorOptions) {
    this.#options = options;
    this.token = options.token ?? randomBytes(24).toString('hex');
    this.#assets = loadAssets(this.token, options.assetsFolder);
    this.store = new EntryStore({
      ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    });
  }

  /** Absolute path of the capture log, as the copied replay command names it. */
  get logPath(): string {
    return resolve(this.#options.log.path);
  }

  /** Fills the list with the last records of the capture log. Call it before publish(). */
  async loadHistory(): Promise<{ entries: number; skipped: number }> {
    const { records, skipped } = await readRecentRecords(this.#options.log.path, {
      ...(this.#options.historyLines === undefined ? {} : { maxLines: this.#options.historyLines }),
    });

    for (const record of records) {
      if (record.kind === 'capture') {
        this.store.add(record);
      } else {
        this.store.attach(record);
      }
    }
    return { entries: this.store.size, skipped };
  }

  /** Takes in an event of the capture server, which the caller passes on from its onEvent. */
  publish(event: CaptureEvent): void {
    let entry: Entry | undefined;
    if (event.kind === 'captured') {
      entry = this.store.add(event.record);
    } else if (event.kind === 'forwarded') {
      entry = this.store.attach(event.delivery, event.capture);
    } else if (event.kind === 'not-forwarded') {
      entry = this.store.entryOf(event.capture);
      if (entry) {
        entry.notForwarded = event.reason;
      }
    }

    if (entry) {
      this.#stream.send('entry', summarizeEntry(entry));
    }
  }

  /**
   * Handles a request whose path is under INSPECTOR_PREFIX and returns
   * true. Returns false for any other path, which is left to the caller.
   */
  handle = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (!isInspectorPath(request.url ?? '/')) {
      return false;
    }

    void this.#route(request, response).catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.#options.onEvent?.({
        kind: 'request-failed',
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        error: failure,
      });
      sendError(response, 500, `internal error: ${failure.message}`);
    });
    return true;
  };

  /** Ends the event streams, stops replays in flight and waits for them to be logged. */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#cancel.abort();
    this.#stream.close();
    await Promise.allSettled([...this.#replays]);
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isAllowedHost(request)) {
      sendError(
        response,
        403,
        `the inspector responds only to requests addressed to localhost or an IP address, not ${request.headers.host ?? '(no Host header)'}`,
        'open the URL that listen printed',
      );
      return;
    }

    const url = new URL(request.url ?? '/', 'http://inspector.invalid');
    if (url.pathname === '/__pllay') {
      response.writeHead(308, { location: INSPECTOR_PREFIX }).end();
      return;
    }
    if (url.pathname.startsWith(API)) {
      await this.#routeApi(request, response, url);
      return;
    }
    this.#routePage(request, response, url.pathname);
  }

  #routePage(request: IncomingMessage, response: ServerResponse, path: string): void {
    const files: Record<string, [string, string | Buffer, Record<string, string>]> = {
      [INSPECTOR_PREFIX]: [
        'text/html; charset=utf-8',
        this.#assets.html,
        { 'content-security-policy': PAGE_POLICY },
      ],
      [`${INSPECTOR_PREFIX}inspector.js`]: ['text/javascript; charset=utf-8', this.#assets.script, {}],
      [`${INSPECTOR_PREFIX}inspector.css`]: ['text/css; charset=utf-8', this.#assets.style, {}],
    };

    const file = files[path];
    if (file === undefined) {
      sendError(response, 404, `no inspector page at ${path}`, `open ${INSPECTOR_PREFIX}`);
    } else if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendError(response, 405, `method ${request.method} not allowed on ${path}`);
    } else {
      sendBody(response, 200, file[0], file[1], file[2]);
    }
  }

  async #routeApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice(API.length);
    const presented =
      path === 'stream' ? (url.searchParams.get('token') ?? undefined) : request.headers[TOKEN_HEADER];
    if (!tokenMatches(typeof presented === 'string' ? presented : undefined, this.token)) {
      sendError(response, 403, 'missing or wrong inspector token', 'reload the inspector page');
      return;
    }

    const replay = REPLAY_PATH.exec(path);
    if (replay) {
      await this.#replayRoute(request, response, Number(replay[1]));
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendError(response, 405, `method ${request.method} not allowed on ${url.pathname}`);
      return;
    }

    const event = EVENT_PATH.exec(path);
    if (path === 'session') {
      sendJson(response, 200, this.#session());
    } else if (path === 'events') {
      sendJson(response, 200, { entries: [...this.store.entries()].map(summarizeEntry) });
    } else if (path === 'stream' && request.method === 'GET') {
      this.#stream.open(request, response, SECURITY_HEADERS);
    } else if (event) {
      this.#detailRoute(response, Number(event[1]));
    } else {
      sendError(response, 404, `no inspector API at ${url.pathname}`);
    }
  }

  #session(): object {
    return {
      version: VERSION,
      log: this.logPath,
      forward_target: this.#options.forwardTarget?.href ?? null,
      can_sign: this.#options.secrets.length > 0,
      event_types: EVENT_TYPE_NAMES,
      max_entries: this.store.maxEntries,
    };
  }

  #detailRoute(response: ServerResponse, seq: number): void {
    const entry = this.store.get(seq);
    if (entry === undefined) {
      sendError(response, 404, `event ${seq} is no longer in memory`, `find it in ${this.logPath}`);
      return;
    }

    const detail = describeEntry(entry, {
      secrets: this.#options.secrets,
      ...(this.#options.signatureHeader === undefined ? {} : { signatureHeader: this.#options.signatureHeader }),
      ...(this.#options.signaturePrefix === undefined ? {} : { signaturePrefix: this.#options.signaturePrefix }),
    });
    const blocker = replayBlocker(entry);
    sendJson(response, 200, blocker === undefined ? detail : { ...detail, replay: { ...detail.replay, unavailable: blocker } });
  }

  async #replayRoute(request: IncomingMessage, response: ServerResponse, seq: number): Promise<void> {
    if (request.method !== 'POST') {
      sendError(response, 405, `method ${request.method} not allowed: replay with POST`);
      return;
    }
    if (!isSameOrigin(request)) {
      sendError(response, 403, 'replay requests must come from the inspector page itself');
      return;
    }
    if (!isJsonRequest(request)) {
      sendError(response, 415, 'replay requests must have content-type application/json');
      return;
    }

    const parsed = parseReplayRequest(await readRequestBody(request));
    if ('error' in parsed) {
      sendError(response, 400, parsed.error);
      return;
    }
    const entry = this.store.get(seq);
    if (entry === undefined) {
      sendError(response, 404, `event ${seq} is no longer in memory`, `replay it from ${this.logPath} with pllay-hooks replay`);
      return;
    }
    const blocker = replayBlocker(entry);
    if (blocker !== undefined) {
      sendError(response, 422, `this request cannot be replayed: ${blocker}`);
      return;
    }
    if (this.#stop.signal.aborted) {
      sendError(response, 503, 'listen is stopping');
      return;
    }

    let target: URL;
    try {
      target = this.#replayTarget(parsed);
    } catch (error) {
      const { message, hint } = error as PllayError;
      sendError(response, 400, message, hint);
      return;
    }
    sendJson(response, 200, await this.#replay(entry, target, parsed.keepSignature));
  }

  #replayTarget(request: ReplayRequest): URL {
    if (request.url !== undefined && request.url.trim() !== '') {
      return normalizeTarget(request.url);
    }
    if (this.#options.forwardTarget === undefined) {
      throw new PllayError('E_NO_TARGET', 'no target: type the URL of your webhook endpoint', {
        category: 'usage',
        hint: 'or start listen with --forward-to URL',
      });
    }
    return this.#options.forwardTarget;
  }

  async #replay(entry: Entry, target: URL, keepSignature: boolean): Promise<object> {
    const secret = this.#options.secrets[0];
    const signing: Signing =
      keepSignature || secret === undefined
        ? { kind: 'keep' }
        : {
            kind: 'secret',
            secret,
            ...(this.#options.signatureHeader === undefined ? {} : { header: this.#options.signatureHeader }),
            ...(this.#options.signaturePrefix === undefined ? {} : { prefix: this.#options.signaturePrefix }),
          };
    const onEvent = this.#options.onEvent;

    const running = replayEntry(entry, {
      target,
      signing,
      logName: this.logPath,
      ...(this.#options.policy === undefined ? {} : { policy: this.#options.policy }),
      ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
      stopSignal: this.#stop.signal,
      cancelSignal: this.#cancel.signal,
      onProgress: (progress) => {
        if (progress.kind !== 'attempt') {
          return;
        }
        this.#stream.send('attempt', attemptMessage(entry, progress));
        onEvent?.({ kind: 'replay-attempt', entry, target, progress });
      },
    }).then(async ({ result, delivery }) => ({ result, delivery, logError: await this.#record(entry, delivery) }));

    this.#replays.add(running);
    try {
      const { result, delivery, logError } = await running;
      onEvent?.({
        kind: 'replayed',
        entry,
        target,
        result,
        ...(delivery === undefined ? {} : { delivery }),
        ...(logError === undefined ? {} : { logError }),
      });
      return {
        outcome: result.outcome,
        reason: result.reason,
        target: target.href,
        signing: signing.kind,
        logged: delivery !== undefined && logError === undefined,
        entry: summarizeEntry(entry),
      };
    } finally {
      this.#replays.delete(running);
    }
  }

  /** Appends a replay's delivery record to the log and to its entry, and returns the log's write error. */
  async #record(entry: Entry, delivery: DeliveryRecord | undefined): Promise<Error | undefined> {
    if (delivery === undefined) {
      return undefined;
    }

    let failure: Error | undefined;
    try {
      await this.#options.log.append(delivery);
    } catch (error) {
      failure = error as Error;
    }
    this.store.attach(delivery, entry.capture);
    this.#stream.send('entry', summarizeEntry(entry));
    return failure;
  }
}

function parseReplayRequest(body: Buffer | undefined): ReplayRequest | { error: string } {
  if (body === undefined) {
    return { error: 'the replay request is too large' };
  }

  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { error: 'the replay request is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null) {
    return { error: 'the replay request must be a JSON object' };
  }

  const { url, keep_signature: keep } = value as Record<string, unknown>;
  if (url !== undefined && url !== null && typeof url !== 'string') {
    return { error: '"url" must be a string' };
  }
  if (keep !== undefined && typeof keep !== 'boolean') {
    return { error: '"keep_signature" must be true or false' };
  }
  return { ...(typeof url === 'string' ? { url } : {}), keepSignature: keep === true };
}

function attemptMessage(entry: Entry, progress: Extract<ReplayProgress, { kind: 'attempt' }>): object {
  const { result } = progress.attempt;
  return {
    seq: entry.seq,
    attempt: progress.attempt.number,
    max_attempts: progress.maxAttempts,
    ok: result.ok,
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.error === undefined ? {} : { error: result.error.message }),
    ...(progress.retry === undefined ? {} : { retry_in_ms: progress.retry.delayMs }),
  };
}
