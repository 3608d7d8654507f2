import type { Dispatcher } from 'undici';

import { envelopeIdentity } from '../events/envelope.js';
import { tryParseJson } from '../json.js';
import type { GenerateOptions } from '../events/generate.js';
import { EventTemplate } from '../events/template.js';
import { encodeBody, type DeliveryRecord, type LogWriter } from '../log/index.js';
import { DEFAULT_TIMEOUT_MS, deliver, type AttemptResult, type DeliveryRequest } from './deliver.js';
import { buildSignedHeaders, type SignedHeadersOptions } from './headers.js';
import { connectTimeoutFor, createDispatcher, type TlsOptions } from './http.js';
import { attemptRecord } from './outcome.js';
import { runPool } from './pool.js';

/** One body to send: generated from a type, or the exact bytes of a file. */
export type SendItem =
  | { kind: 'generated'; options: GenerateOptions }
  | { kind: 'payload'; bytes: Buffer; source: string };

export interface SendOptions {
  items: Iterable<SendItem>;
  url: URL;
  secret: string;
  headers?: Record<string, string>;
  signatureHeader?: string;
  signaturePrefix?: string;
  concurrency?: number;
  timeoutMs?: number;
  log?: LogWriter;
  tls?: TlsOptions;
  /** Cancels the run: no new delivery starts, and those in flight are cancelled. */
  signal?: AbortSignal;
  /** Stops the run: no new delivery starts, and those in flight finish. */
  stopSignal?: AbortSignal;
  onResult?: (result: SendResult) => void;
}

/** The outcome of one delivery, in the order it finished. */
export interface SendResult {
  index: number;
  eventId: string | null;
  type: string | null;
  url: string;
  bytes: number;
  attempt: AttemptResult;
}

export interface SendSummary {
  /** Deliveries that started, whatever became of them. */
  total: number;
  delivered: number;
  failed: number;
  /** Deliveries cancelled in flight by `signal`. */
  cancelled: number;
  durationMs: number;
}

/** Signs and delivers every item, with bounded concurrency, and logs each delivery. */
export async function sendEvents(options: SendOptions): Promise<SendSummary> {
  const concurrency = options.concurrency ?? 1;
  const dispatcher = await createDispatcher({
    connections: concurrency,
    connectTimeoutMs: connectTimeoutFor(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const started = performance.now();
  const summary: SendSummary = { total: 0, delivered: 0, failed: 0, cancelled: 0, durationMs: 0 };
  const signals = [options.signal, options.stopSignal].filter((signal) => signal !== undefined);
  const run = prepareRun(options, dispatcher);

  try {
    await runPool(options.items, concurrency, async (item, index) => {
      const result = await sendOne(item, index, options, run);
      summary.total++;
      summary[outcomeOf(result.attempt, options.signal)]++;
      options.onResult?.(result);
    }, signals.length > 0 ? AbortSignal.any(signals) : undefined);
  } finally {
    await dispatcher.close();
  }

  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}

function outcomeOf(attempt: AttemptResult, signal: AbortSignal | undefined): 'delivered' | 'failed' | 'cancelled' {
  if (attempt.ok) {
    return 'delivered';
  }
  return attempt.error?.code === 'ABORTED' && signal?.aborted ? 'cancelled' : 'failed';
}

/** The signing and request settings that every delivery of one run shares, built once per run. */
interface SendRun {
  signing: Omit<SignedHeadersOptions, 'body'>;
  request: Omit<DeliveryRequest, 'body' | 'headers'>;
}

function prepareRun(options: SendOptions, dispatcher: Dispatcher): SendRun {
  return {
    signing: {
      secret: options.secret,
      ...(options.signatureHeader ? { signatureHeader: options.signatureHeader } : {}),
      ...(options.signaturePrefix ? { signaturePrefix: options.signaturePrefix } : {}),
      ...(options.headers ? { extra: options.headers } : {}),
    },
    request: {
      url: options.url,
      dispatcher,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  };
}

async function sendOne(item: SendItem, index: number, options: SendOptions, run: SendRun): Promise<SendResult> {
  const { bytes, eventId, type } = materialise(item);
  const headers = buildSignedHeaders({ ...run.signing, body: bytes });

  const at = new Date();
  const attempt = await deliver({ ...run.request, body: bytes, headers });

  if (options.log) {
    const record: DeliveryRecord = {
      kind: 'delivery',
      source: 'send',
      event_id: eventId,
      type,
      ...encodeBody(bytes),
      signature: 'valid',
      target: options.url.href,
      ok: attempt.ok,
      attempts: [attemptRecord(attempt, at)],
    };
    await options.log.append(record);
  }

  return { index, eventId, type, url: options.url.href, bytes: bytes.length, attempt };
}

/**
 * Compiled templates, keyed by the options object of generated items, so
 * that the items of one type, which share their options, share one template.
 */
const templates = new WeakMap<GenerateOptions, EventTemplate>();

function materialise(item: SendItem): { bytes: Buffer; eventId: string | null; type: string | null } {
  if (item.kind === 'generated') {
    const event = templateFor(item.options).next();
    return { bytes: Buffer.from(event.body), eventId: event.id as string, type: event.type as string };
  }

  const identity = envelopeIdentity(tryParseJson(item.bytes));
  return { bytes: item.bytes, eventId: identity.id, type: identity.type };
}

function templateFor(options: GenerateOptions): EventTemplate {
  let template = templates.get(options);
  if (template === undefined) {
    template = EventTemplate.compile(options);
    templates.set(options, template);
  }
  return template;
}
