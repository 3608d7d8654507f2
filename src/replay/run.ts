import type { Dispatcher } from 'undici';

import { deliver, DEFAULT_TIMEOUT_MS, type AttemptResult } from '../delivery/deliver.js';
import { buildSignedHeaders, USER_AGENT } from '../delivery/headers.js';
import { connectTimeoutFor, createDispatcher, type TlsOptions } from '../delivery/http.js';
import { describeAttempt } from '../delivery/outcome.js';
import { runPool } from '../delivery/pool.js';
import { classifyFailure, retryDelay, type BackoffPolicy, type RetryDelay } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import type { LoggedEvent } from './extract.js';
import { selectEvents, type InputScan, type ReplayInput } from './inputs.js';
import type { Selection } from './select.js';
import type { ReplayState } from './state.js';

/** Signing of replayed events: afresh with a secret, or with the header that the log kept. */
export type Signing =
  | { kind: 'secret'; secret: string; header?: string; prefix?: string }
  | { kind: 'keep' };

/** How each event is delivered: where, signed how, and retried under which policy. */
export interface EventDeliveryOptions {
  url: URL;
  signing: Signing;
  /** Extra request headers, such as those of --header. */
  headers?: Record<string, string>;
  policy: BackoffPolicy;
  /** Time allowed for each attempt. */
  timeoutMs?: number;
  /** Time allowed for the whole run, from its start. */
  deadlineMs?: number;
  /** Events in flight at once; each event's own attempts stay in order. */
  concurrency?: number;
  tls?: TlsOptions;
  state?: ReplayState;
  /** Stops the run between attempts: no new attempt starts, pending waits end at once. */
  stopSignal?: AbortSignal;
  /** Also cancels the attempts in flight. */
  cancelSignal?: AbortSignal;
  clock?: Clock;
  onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayOptions extends EventDeliveryOptions {
  inputs: readonly ReplayInput[];
  selection: Selection;
  /** Result of scanInputs over the same inputs and selection. */
  scan: InputScan;
  /** Events in flight at once; each event's own attempts stay in order. */
  concurrency?: number;
  /** Called with each finished event before it is reported; a rejection ends the run. */
  onResult?: (result: EventResult) => Promise<void>;
}

/** One attempt at one event. */
export interface AttemptLog {
  number: number;
  at: Date;
  result: AttemptResult;
}

export type EventOutcome = 'delivered' | 'failed' | 'skipped' | 'interrupted';

/** Outcome of one selected event. */
export interface EventResult {
  event: LoggedEvent;
  outcome: EventOutcome;
  /** Plain-language reason, such as "accepted with 200" or "gave up after 5 attempts". */
  reason: string;
  attempts: AttemptLog[];
  durationMs: number;
}

/** Progress report of a run, for the caller to show. */
export type ReplayProgress =
  | {
      kind: 'attempt';
      event: LoggedEvent;
      attempt: AttemptLog;
      maxAttempts: number;
      retry?: RetryDelay;
    }
  | { kind: 'result'; result: EventResult }
  | { kind: 'duplicate'; event: LoggedEvent };

export interface ReplaySummary {
  selected: number;
  delivered: number;
  failed: number;
  skipped: number;
  interrupted: number;
  /** Selected events that the run never reached because it was stopped. */
  notReached: number;
  duplicates: number;
  attempts: number;
  durationMs: number;
  stopped: boolean;
}

interface RunContext {
  options: EventDeliveryOptions;
  clock: Clock;
  dispatcher: Dispatcher;
  deadline: number | undefined;
  baseHeaders: Record<string, string>;
}

/** Returns a summary with every count at zero, for a run that selected `selected` events. */
export function emptySummary(selected: number): ReplaySummary {
  return {
    selected,
    delivered: 0,
    failed: 0,
    skipped: 0,
    interrupted: 0,
    notReached: 0,
    duplicates: 0,
    attempts: 0,
    durationMs: 0,
    stopped: false,
  };
}

/**
 * Sends the selected events again, in log order, each with its own retries
 * under the backoff policy, and reports every attempt and result. Never
 * follows redirects; a stop signal ends the run between attempts.
 */
export async function replayEvents(options: ReplayOptions): Promise<ReplaySummary> {
  const clock = options.clock ?? systemClock;
  const concurrency = options.concurrency ?? 1;
  const started = clock.now();
  const summary = emptySummary(options.scan.total);
  const context: RunContext = {
    options,
    clock,
    dispatcher: await createDispatcher({
      connections: concurrency,
      connectTimeoutMs: connectTimeoutFor(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      ...(options.tls ? { tls: options.tls } : {}),
    }),
    deadline: options.deadlineMs === undefined ? undefined : started + options.deadlineMs,
    baseHeaders: { ...options.headers },
  };

  const events = selectEvents(options.inputs, options.selection, options.scan, (event) => {
    summary.duplicates++;
    options.onProgress?.({ kind: 'duplicate', event });
  });

  try {
    await runPool(
      events,
      concurrency,
      async (event) => {
        const result = await replayOne(event, context);
        summary.attempts += result.attempts.length;
        summary[result.outcome]++;
        await options.onResult?.(result);
        options.onProgress?.({ kind: 'result', result });
      },
      options.stopSignal,
    );
  } finally {
    await context.dispatcher.close();
  }

  const done = summary.delivered + summary.failed + summary.skipped + summary.interrupted;
  summary.stopped = options.stopSignal?.aborted === true;
  summary.notReached = summary.stopped ? Math.max(0, summary.selected - done) : 0;
  summary.durationMs = Math.round(clock.now() - started);
  return summary;
}

/**
 * Sends one event as a replay run sends each of its events: signed the same
 * way, retried under the same backoff policy, and over its own connection
 * pool. The deadline, when set, counts from this call.
 */
export async function replayEvent(
  event: LoggedEvent,
  options: EventDeliveryOptions,
): Promise<EventResult> {
  const clock = options.clock ?? systemClock;
  const context: RunContext = {
    options,
    clock,
    dispatcher: await createDispatcher(options.tls ? { tls: options.tls } : {}),
    deadline: options.deadlineMs === undefined ? undefined : clock.now() + options.deadlineMs,
    baseHeaders: { ...options.headers },
  };

  try {
    const result = await replayOne(event, context);
    options.onProgress?.({ kind: 'result', result });
    return result;
  } finally {
    await context.dispatcher.close();
  }
}

async function replayOne(event: LoggedEvent, context: RunContext): Promise<EventResult> {
  const { options, clock } = context;
  const started = clock.now();
  const attempts: AttemptLog[] = [];
  const finish = (outcome: EventOutcome, reason: string): EventResult => ({
    event,
    outcome,
    reason,
    attempts,
    durationMs: Math.round(clock.now() - started),
  });

  if (options.state?.isDelivered(event.id)) {
    return finish('skipped', `already delivered, as recorded in ${options.state.path}`);
  }

  const headers = requestHeaders(event, context);
  for (let number = 1; ; number++) {
    if (options.stopSignal?.aborted) {
      return finish('interrupted', 'interrupted before the next attempt');
    }
    const remaining = context.deadline === undefined ? Infinity : context.deadline - clock.now();
    if (remaining <= 0) {
      return finish('failed', deadlineReason(attempts, context));
    }

    const attempt = await attemptOnce(
      event,
      headers,
      number,
      Math.min(remaining, options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      context,
    );
    attempts.push(attempt);
    const verdict = nextStep(attempt, number, context);
    options.onProgress?.({
      kind: 'attempt',
      event,
      attempt,
      maxAttempts: options.policy.maxAttempts,
      ...(verdict.kind === 'retry' ? { retry: verdict.delay } : {}),
    });

    if (verdict.kind === 'done') {
      return finish(verdict.outcome, verdict.reason);
    }
    const waited = await clock.sleep(verdict.delay.delayMs, options.stopSignal);
    if (!waited) {
      return finish('interrupted', 'interrupted while waiting to retry');
    }
  }
}

type Step =
  { kind: 'done'; outcome: EventOutcome; reason: string } | { kind: 'retry'; delay: RetryDelay };

/** Decides, after an attempt, whether the event is done or when to try again. */
function nextStep(attempt: AttemptLog, number: number, context: RunContext): Step {
  const { result } = attempt;
  const { policy } = context.options;

  if (result.ok) {
    return { kind: 'done', outcome: 'delivered', reason: describeAttempt(result) };
  }
  if (result.error?.code === 'ABORTED' && context.options.cancelSignal?.aborted) {
    return { kind: 'done', outcome: 'interrupted', reason: 'interrupted during an attempt' };
  }
  if (classifyFailure(result) === 'permanent') {
    return { kind: 'done', outcome: 'failed', reason: `${describeAttempt(result)}; not retried` };
  }
  if (number >= policy.maxAttempts) {
    const tries = number === 1 ? '1 attempt' : `${number} attempts`;
    return {
      kind: 'done',
      outcome: 'failed',
      reason: `gave up after ${tries}: ${describeAttempt(result)}`,
    };
  }

  const delay = retryDelay(policy, number, result, context.clock);
  if (context.deadline !== undefined && context.clock.now() + delay.delayMs >= context.deadline) {
    return {
      kind: 'done',
      outcome: 'failed',
      reason: `${deadlineReason([attempt], context)}: ${describeAttempt(result)}`,
    };
  }
  return { kind: 'retry', delay };
}

function deadlineReason(attempts: AttemptLog[], context: RunContext): string {
  const deadline = `${context.options.deadlineMs} ms`;
  return attempts.length === 0
    ? `not attempted: the deadline of ${deadline} was reached`
    : `stopped retrying: the deadline of ${deadline} leaves no time for another attempt`;
}

async function attemptOnce(
  event: LoggedEvent,
  headers: Record<string, string>,
  number: number,
  timeoutMs: number,
  context: RunContext,
): Promise<AttemptLog> {
  const at = new Date(context.clock.now());
  const result = await deliver({
    url: context.options.url,
    body: event.body,
    headers,
    dispatcher: context.dispatcher,
    timeoutMs: Math.max(1, Math.round(timeoutMs)),
    ...(context.options.cancelSignal ? { signal: context.options.cancelSignal } : {}),
  });
  return { number, at, result };
}

/**
 * Builds the headers of an event: signed afresh over the logged bytes, or
 * with the logged signature header as it was. An event whose log kept no
 * signature is sent without one under --keep-signature.
 */
function requestHeaders(event: LoggedEvent, context: RunContext): Record<string, string> {
  const { signing } = context.options;
  if (signing.kind === 'secret') {
    return buildSignedHeaders({
      body: event.body,
      secret: signing.secret,
      ...(signing.header === undefined ? {} : { signatureHeader: signing.header }),
      ...(signing.prefix === undefined ? {} : { signaturePrefix: signing.prefix }),
      extra: context.baseHeaders,
    });
  }

  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...(event.signature ? { [event.signature.header]: event.signature.value } : {}),
    ...context.baseHeaders,
  };
}
