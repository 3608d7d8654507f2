import type { Dispatcher } from 'undici';

import { deliver, type DeliveryFailure } from '../delivery/deliver.js';
import { connectTimeoutFor, createDispatcher, type TlsOptions } from '../delivery/http.js';
import { runPool } from '../delivery/pool.js';
import { PllayError, UsageError } from '../errors.js';
import { EVENT_TYPE_NAMES } from '../events/catalog.js';
import { assertEventType } from '../events/generate.js';
import { CHECKS } from './checks.js';
import { shorten } from './judge.js';
import { signedEvent } from './requests.js';
import type {
  CheckDefinition,
  CheckReport,
  CheckResult,
  CheckSetup,
  CheckSummary,
  Exchange,
  PlannedRequest,
} from './types.js';

/** Default slowest response time that passes, in milliseconds. */
export const DEFAULT_MAX_LATENCY_MS = 2_000;

/** Requests in flight at once by default: low, because the endpoint may be a developer's laptop. */
export const DEFAULT_CHECK_CONCURRENCY = 2;

/** Shortest time each request may take before it counts as timed out, in milliseconds. */
export const MIN_REQUEST_TIMEOUT_MS = 10_000;

/** Network errors that mean no check can run at all. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'CONNECT_TIMEOUT', 'TLS']);

export interface CheckRunOptions {
  url: URL;
  secret: string;
  /** Event types to check; every type when absent or empty. */
  types?: readonly string[];
  maxLatencyMs?: number;
  concurrency?: number;
  /** Time each request may take; by default MIN_REQUEST_TIMEOUT_MS or 5 × maxLatencyMs, whichever is longer. */
  requestTimeoutMs?: number;
  checks?: readonly CheckDefinition[];
  tls?: TlsOptions;
  /** Called once before the first request, with the number of requests the run sends. */
  onStart?: (start: { types: readonly string[]; requests: number }) => void;
  /** Called after each request with its exchange and the id of the check that sent it. */
  onExchange?: (exchange: Exchange, checkId: string) => void;
  /**
   * Stops the run when aborted: no new request starts, the requests in flight are cancelled, and
   * the report contains only the checks whose requests all got a response.
   */
  signal?: AbortSignal;
}

interface Sequence {
  checkIndex: number;
  sequenceIndex: number;
  requests: PlannedRequest[];
}

/**
 * Sends every check's requests to the endpoint and judges the responses.
 * One warm-up request goes first and is not judged. When it cannot reach
 * the endpoint, or gets no response before the request timeout, the run
 * stops with E_ENDPOINT_UNREACHABLE or E_ENDPOINT_TIMEOUT, because every
 * other request would fail the same way.
 */
export async function runChecks(options: CheckRunOptions): Promise<CheckReport> {
  const checks = options.checks ?? CHECKS;
  const setup: CheckSetup = {
    secret: options.secret,
    types: options.types && options.types.length > 0 ? [...options.types] : [...EVENT_TYPE_NAMES],
    maxLatencyMs: options.maxLatencyMs ?? DEFAULT_MAX_LATENCY_MS,
  };
  const concurrency = options.concurrency ?? DEFAULT_CHECK_CONCURRENCY;
  const plans = checks.map((check) => check.plan(setup));
  const exchanges: Exchange[][][] = plans.map((plan) => plan.map(() => []));
  const requestCount = 1 + plans.flat(2).length;
  const timeoutMs = options.requestTimeoutMs ?? Math.max(MIN_REQUEST_TIMEOUT_MS, 5 * setup.maxLatencyMs);
  options.onStart?.({ types: setup.types, requests: requestCount });
  const started = performance.now();

  const dispatcher = await createDispatcher({
    connections: concurrency,
    connectTimeoutMs: connectTimeoutFor(timeoutMs),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  try {
    const context: SendContext = { dispatcher, timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
    await warmUp(options.url, setup, context);
    const work = async ({ checkIndex, sequenceIndex, requests }: Sequence): Promise<void> => {
      for (const request of requests) {
        if (options.signal?.aborted === true) {
          return;
        }
        const exchange = await send(options.url, request, context);
        exchanges[checkIndex]![sequenceIndex]!.push(exchange);
        options.onExchange?.(exchange, checks[checkIndex]!.id);
      }
    };
    await runPool(sequencesOf(plans), concurrency, work, options.signal);
  } finally {
    await dispatcher.close();
  }

  const interrupted = options.signal?.aborted === true;
  const judged = checks.filter((_check, index) => !interrupted || isFinished(plans[index]!, exchanges[index]!));

  return {
    target: options.url.href,
    types: [...setup.types],
    maxLatencyMs: setup.maxLatencyMs,
    concurrency,
    requests: requestCount,
    durationMs: Math.round(performance.now() - started),
    results: judgeAll(judged, checks, exchanges, setup),
    ...(interrupted ? { interrupted: true as const } : {}),
  };
}

/**
 * True when every planned request of a check got a response or a network error, and none was
 * cancelled. A check that plans no request of its own, such as the latency check, needs the whole
 * run, so it never counts as finished.
 */
function isFinished(plan: PlannedRequest[][], exchanges: Exchange[][]): boolean {
  return (
    plan.length > 0 &&
    plan.every((requests, index) => exchanges[index]!.length === requests.length) &&
    exchanges.flat().every((exchange) => exchange.error?.code !== 'ABORTED')
  );
}

function sequencesOf(plans: PlannedRequest[][][]): Sequence[] {
  return plans.flatMap((plan, checkIndex) =>
    plan.map((requests, sequenceIndex) => ({ checkIndex, sequenceIndex, requests })),
  );
}

/** Judges the `judged` checks, which are all or some of `checks`, whose order `exchanges` follows. */
function judgeAll(
  judged: readonly CheckDefinition[],
  checks: readonly CheckDefinition[],
  exchanges: Exchange[][][],
  setup: CheckSetup,
): CheckResult[] {
  const timed = exchanges.flat(2).filter((exchange) => exchange.timed && exchange.error?.code !== 'ABORTED');

  return judged.map((check) => {
    const sequences = exchanges[checks.indexOf(check)]!;
    return {
      id: check.id,
      practice: check.practice,
      title: check.title,
      ...check.judge(sequences, { setup, timed }),
      exchanges: sequences.flat(),
    };
  });
}

interface SendContext {
  dispatcher: Dispatcher;
  timeoutMs: number;
  signal?: AbortSignal;
}

async function warmUp(url: URL, setup: CheckSetup, context: SendContext): Promise<void> {
  const exchange = await send(url, signedEvent(setup.types[0]!, setup.secret, 'warm-up'), context);
  const error = exchange.error;

  if (error && UNREACHABLE_CODES.has(error.code)) {
    throw new PllayError('E_ENDPOINT_UNREACHABLE', `cannot check ${url.href}: ${error.message}`, {
      category: 'network',
      hint: unreachableHint(url, error),
    });
  }
  if (error?.code === 'TIMEOUT') {
    throw new PllayError('E_ENDPOINT_TIMEOUT', `cannot check ${url.href}: ${error.message}`, {
      category: 'network',
      hint: 'a signed event should get a response within seconds: look in the app\'s log for a request that hangs',
    });
  }
}

/**
 * Node's error code when the server's first bytes are not a TLS record, as with an https request
 * to a plain-HTTP port (ERR_SSL_WRONG_VERSION_NUMBER on Node.js 20 with OpenSSL 3).
 */
const PLAIN_HTTP_PATTERN = /WRONG_VERSION_NUMBER/;

function unreachableHint(url: URL, error: DeliveryFailure): string {
  if (error.code !== 'TLS') {
    return 'start the app first, or fix the URL in --to';
  }
  if (url.protocol === 'https:' && PLAIN_HTTP_PATTERN.test(error.message)) {
    const plain = new URL(url.href);
    plain.protocol = 'http:';
    return `the app seems to serve plain HTTP on ${url.host}: pass --to ${plain.href}, or serve https there`;
  }
  return 'fix the certificate, or pass --ca-cert FILE or --insecure';
}

async function send(url: URL, request: PlannedRequest, context: SendContext): Promise<Exchange> {
  const attempt = await deliver({
    url,
    body: request.body,
    headers: request.headers,
    dispatcher: context.dispatcher,
    timeoutMs: context.timeoutMs,
    ...(context.signal ? { signal: context.signal } : {}),
  });

  return {
    label: request.label,
    bytes: Buffer.byteLength(request.body),
    timed: request.timed,
    ...(attempt.status === undefined ? {} : { status: attempt.status }),
    ...(attempt.error === undefined ? {} : { error: attempt.error }),
    durationMs: attempt.durationMs,
    ...(attempt.snippet ? { response: shorten(attempt.snippet, 200) } : {}),
  };
}

/** Counts the verdicts. Under `strict`, a warning makes the run fail as a failure does. */
export function summarize(results: readonly CheckResult[], strict: boolean): CheckSummary {
  const count = (status: string): number => results.filter((result) => result.status === status).length;
  const passed = count('pass');
  const warned = count('warn');
  const failed = count('fail');
  return { passed, warned, failed, strict, ok: failed === 0 && !(strict && warned > 0) };
}

/**
 * Turns `--type` values into event types, in the order given and without
 * repeats. A value may list several types separated by commas. Unknown
 * types raise a usage error.
 */
export function parseCheckTypes(values: readonly string[] | undefined): string[] {
  const types = (values ?? []).flatMap(splitTypes);
  types.forEach(assertEventType);
  return [...new Set(types)];
}

/** Splits one `--type` value at commas, and rejects a value that names no type, such as `,`. */
function splitTypes(value: string): string[] {
  const types = value.split(',').map((type) => type.trim()).filter(Boolean);
  if (types.length === 0) {
    throw new UsageError(
      'E_NO_EVENT_TYPE',
      `--type "${value}" names no event type`,
      'pass one or more types separated by commas, such as --type payment.succeeded,kyc.completed, or leave out --type to check all 13',
    );
  }
  return types;
}
