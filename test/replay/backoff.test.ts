import { describe, expect, it } from 'vitest';

import type { AttemptResult } from '../../src/delivery/deliver.js';
import {
  backoffDelay,
  classifyFailure,
  DEFAULT_BACKOFF,
  describeSchedule,
  parseRetryAfter,
  retryDelay,
  type BackoffPolicy,
} from '../../src/replay/backoff.js';

const policy = (overrides: Partial<BackoffPolicy> = {}): BackoffPolicy => ({
  ...DEFAULT_BACKOFF,
  ...overrides,
});
const never = (): number => {
  throw new Error('random must not be called without jitter');
};

function status(code: number, retryAfter?: string): AttemptResult {
  return {
    ok: code >= 200 && code < 300,
    status: code,
    durationMs: 1,
    ...(retryAfter ? { retryAfter } : {}),
  };
}

function failure(code: string): AttemptResult {
  return { ok: false, error: { code, message: code }, durationMs: 1 };
}

describe('backoffDelay', () => {
  it('doubles from the initial delay by default', () => {
    const delays = [1, 2, 3, 4].map((retry) => backoffDelay(policy(), retry, never));

    expect(delays).toEqual([500, 1000, 2000, 4000]);
  });

  it('applies the exponential factor', () => {
    const delays = [1, 2, 3].map((retry) =>
      backoffDelay(policy({ initialDelayMs: 100, factor: 3 }), retry, never),
    );

    expect(delays).toEqual([100, 300, 900]);
  });

  it('grows linearly and stays constant', () => {
    const linear = [1, 2, 3].map((retry) =>
      backoffDelay(policy({ strategy: 'linear', initialDelayMs: 200 }), retry, never),
    );
    const constant = [1, 2, 3].map((retry) =>
      backoffDelay(policy({ strategy: 'constant', initialDelayMs: 200 }), retry, never),
    );

    expect(linear).toEqual([200, 400, 600]);
    expect(constant).toEqual([200, 200, 200]);
  });

  it('caps delays at the maximum', () => {
    expect(backoffDelay(policy({ maxDelayMs: 3000 }), 10, never)).toBe(3000);
  });

  it('jitters within the documented ranges', () => {
    const full = policy({ jitter: 'full', initialDelayMs: 1000 });
    const equal = policy({ jitter: 'equal', initialDelayMs: 1000 });

    expect(backoffDelay(full, 1, () => 0)).toBe(0);
    expect(backoffDelay(full, 1, () => 0.5)).toBe(500);
    expect(backoffDelay(equal, 1, () => 0)).toBe(500);
    expect(backoffDelay(equal, 1, () => 0.999)).toBe(1000);
  });
});

describe('classifyFailure', () => {
  it.each([408, 425, 429, 500, 502, 503, 504, 599])('retries status %i', (code) => {
    expect(classifyFailure(status(code))).toBe('retryable');
  });

  it.each([301, 302, 307, 400, 401, 403, 404, 409, 410, 422])('gives up on status %i', (code) => {
    expect(classifyFailure(status(code))).toBe('permanent');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'TIMEOUT', 'CONNECT_TIMEOUT', 'ENOTFOUND'])(
    'retries network error %s',
    (code) => {
      expect(classifyFailure(failure(code))).toBe('retryable');
    },
  );

  it('gives up on TLS and cancellation', () => {
    expect(classifyFailure(failure('TLS'))).toBe('permanent');
    expect(classifyFailure(failure('ABORTED'))).toBe('permanent');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-31T12:00:00Z');

  it('reads seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Fri, 31 Jan 2025 12:00:05 GMT', now)).toBe(5000);
  });

  it('treats a past date as now', () => {
    expect(parseRetryAfter('Fri, 31 Jan 2025 11:00:00 GMT', now)).toBe(0);
  });

  it.each(['soon', '-1', '1.5', '', '2025-01-31T12:00:05Z', 'Fri, 99 Foo 2025'])(
    'rejects malformed "%s"',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );
});

describe('retryDelay', () => {
  const clock = { now: () => 0, random: () => 0 };

  it('prefers a valid Retry-After', () => {
    expect(retryDelay(policy(), 1, status(429, '2'), clock)).toEqual({
      delayMs: 2000,
      source: 'retry-after',
    });
  });

  it('caps Retry-After at the maximum delay', () => {
    expect(retryDelay(policy({ maxDelayMs: 1500 }), 1, status(503, '60'), clock)).toEqual({
      delayMs: 1500,
      source: 'retry-after',
    });
  });

  it('falls back on a malformed Retry-After', () => {
    expect(retryDelay(policy(), 2, status(503, 'later'), clock)).toEqual({
      delayMs: 1000,
      source: 'backoff',
    });
  });
});

describe('describeSchedule', () => {
  it('lists the default schedule', () => {
    const schedule = describeSchedule(policy());

    expect(schedule.map((step) => step.maxDelayMs)).toEqual([0, 500, 1000, 2000, 4000]);
    expect(schedule.at(-1)!.maxElapsedMs).toBe(7500);
  });

  it('shows jitter as a range', () => {
    const schedule = describeSchedule(policy({ jitter: 'full', maxAttempts: 2 }));

    expect(schedule[1]).toMatchObject({ attempt: 2, minDelayMs: 0, maxDelayMs: 500 });
  });
});
