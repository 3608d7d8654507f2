import type { AttemptResult } from '../delivery/deliver.js';

export type BackoffStrategy = 'exponential' | 'linear' | 'constant';
export type JitterMode = 'none' | 'full' | 'equal';

export const BACKOFF_STRATEGIES: readonly BackoffStrategy[] = ['exponential', 'linear', 'constant'];
export const JITTER_MODES: readonly JitterMode[] = ['none', 'full', 'equal'];

/** How often and how far apart the attempts at one event are made. Times are in milliseconds. */
export interface BackoffPolicy {
  /** Attempts per event, the first one included. */
  maxAttempts: number;
  strategy: BackoffStrategy;
  /** Delay before the second attempt. */
  initialDelayMs: number;
  /** Upper bound of every delay, `Retry-After` included. */
  maxDelayMs: number;
  /** Growth per retry of the exponential strategy. */
  factor: number;
  jitter: JitterMode;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = {
  maxAttempts: 5,
  strategy: 'exponential',
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 'none',
};

/** Statuses that say "try again later"; every 5xx is retried as well. */
const RETRIED_STATUSES = new Set([408, 425, 429]);

/** Network failures that a retry cannot fix: a bad certificate, or our own cancellation. */
const PERMANENT_ERRORS = new Set(['TLS', 'ABORTED']);

/**
 * Returns the delay before retry number `retry` (1 for the second attempt),
 * from the strategy alone: exponential is initial × factor^(retry-1), linear
 * is initial × retry, constant is initial. The result is capped by the
 * maximum delay, then jittered: `full` picks from [0, delay], `equal` from
 * [delay/2, delay]. `random` returns a number in [0, 1).
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number): number {
  const base = strategyDelay(policy, retry);
  const capped = Math.min(base, policy.maxDelayMs);

  switch (policy.jitter) {
    case 'full':
      return Math.round(random() * capped);
    case 'equal':
      return Math.round(capped / 2 + (random() * capped) / 2);
    case 'none':
      return Math.round(capped);
  }
}

function strategyDelay(policy: BackoffPolicy, retry: number): number {
  switch (policy.strategy) {
    case 'exponential':
      return policy.initialDelayMs * policy.factor ** (retry - 1);
    case 'linear':
      return policy.initialDelayMs * retry;
    case 'constant':
      return policy.initialDelayMs;
  }
}

/** Whether a failed attempt may succeed when tried again. */
export type FailureClass = 'retryable' | 'permanent';

/**
 * Classifies a failed attempt. Network errors, timeouts, 408, 425, 429 and
 * 5xx are retryable. Every 3xx (redirects are never followed) and every
 * other 4xx, 410 Gone included, is permanent, and so are TLS failures.
 */
export function classifyFailure(attempt: AttemptResult): FailureClass {
  if (attempt.error) {
    return PERMANENT_ERRORS.has(attempt.error.code) ? 'permanent' : 'retryable';
  }

  const status = attempt.status ?? 0;
  if (status >= 500 || RETRIED_STATUSES.has(status)) {
    return 'retryable';
  }
  return 'permanent';
}

/**
 * Parses a `Retry-After` value into milliseconds from `now`: a number of
 * seconds, or an HTTP date. Returns undefined when the value is malformed,
 * so that the caller falls back to the backoff. A date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }

  const text = value.trim();
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  if (!/^[A-Za-z]{3,9},? /.test(text)) {
    return undefined;
  }

  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Where a retry delay came from: the backoff, or the server's `Retry-After`. */
export interface RetryDelay {
  delayMs: number;
  source: 'backoff' | 'retry-after';
}

/**
 * Picks the delay before retry number `retry`: the server's `Retry-After`
 * when it is valid, capped by the maximum delay; otherwise the backoff.
 */
export function retryDelay(
  policy: BackoffPolicy,
  retry: number,
  attempt: AttemptResult,
  clock: { now(): number; random(): number },
): RetryDelay {
  const requested = parseRetryAfter(attempt.retryAfter, clock.now());
  if (requested !== undefined) {
    return { delayMs: Math.min(requested, policy.maxDelayMs), source: 'retry-after' };
  }
  return { delayMs: backoffDelay(policy, retry, clock.random), source: 'backoff' };
}

/** One planned attempt of the schedule that a policy produces. */
export interface ScheduledAttempt {
  attempt: number;
  /** Smallest and largest delay before this attempt; equal without jitter. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Largest time from the first attempt's start to this one's, ignoring the attempts' own time. */
  maxElapsedMs: number;
}

/** Lists the attempts that a policy makes when every attempt fails with a retryable error. */
export function describeSchedule(policy: BackoffPolicy): ScheduledAttempt[] {
  const schedule: ScheduledAttempt[] = [
    { attempt: 1, minDelayMs: 0, maxDelayMs: 0, maxElapsedMs: 0 },
  ];
  let elapsed = 0;

  for (let retry = 1; retry < policy.maxAttempts; retry++) {
    const low = backoffDelay(policy, retry, () => 0);
    const high = policy.jitter === 'none' ? low : backoffDelay(policy, retry, () => 1);
    elapsed += high;
    schedule.push({ attempt: retry + 1, minDelayMs: low, maxDelayMs: high, maxElapsedMs: elapsed });
  }
  return schedule;
}
