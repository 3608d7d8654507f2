import { InvalidArgumentError } from 'commander';

import { HEADER_NAME } from '../delivery/headers.js';
import { MAX_DURATION_MS, parseByteSizeText, parseDurationText } from '../units.js';

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export { MAX_DURATION_MS };

/** Parses decimal digits into a number; undefined for other text, such as `0x10` or `1e3`. */
function parseDecimalInteger(value: string): number | undefined {
  const parsed = Number(value);
  return /^\d+$/.test(value) && Number.isSafeInteger(parsed) ? parsed : undefined;
}

/** Parses a whole number of at least `min`, for options such as --count. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const parsed = parseDecimalInteger(value);
    if (parsed === undefined || parsed < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}, got "${value}".`);
    }
    return parsed;
  };
}

/** Parses a whole number from `min` to `max`, for options such as --max-attempts. */
export function integerInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = parseDecimalInteger(value);
    if (parsed === undefined || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}".`);
    }
    return parsed;
  };
}

/** Parses a duration such as `250ms`, `2s`, `1m` or `1h`; a bare number is in seconds. */
export function parseDuration(value: string): number {
  const ms = parseDurationText(value, 's');
  if (ms === undefined) {
    throw new InvalidArgumentError(`expected a duration such as 500ms, 10s or 1m, got "${value}".`);
  }
  if (ms > MAX_DURATION_MS) {
    throw new InvalidArgumentError(`expected a duration of at most 596h, got "${value}".`);
  }
  return ms;
}

/** Parses a duration as parseDuration does and rejects 0, for timeouts and deadlines. */
export function parsePositiveDuration(value: string): number {
  const ms = parseDuration(value);
  if (ms < 1) {
    throw new InvalidArgumentError(`expected a duration of at least 1ms, such as 500ms or 10s, got "${value}".`);
  }
  return ms;
}

/** Writes milliseconds the way a duration flag takes them: `500ms`, `30s`, `2m`. */
export function formatDurationFlag(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) {
    return `${ms / 60_000}m`;
  }
  return ms % 1000 === 0 && ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Parses a byte size of at least 1 byte, such as `1048576`, `512kb` or `2mb`. */
export function parseByteSize(value: string): number {
  const bytes = parseByteSizeText(value);
  if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new InvalidArgumentError(`expected a size of at least 1 byte, such as 1048576, 512kb or 2mb, got "${value}".`);
  }
  return bytes;
}

/** Parses a TCP port, 0 to 65535; 0 picks a free port. */
export function parsePort(value: string): number {
  const port = parseDecimalInteger(value);
  if (port === undefined || port > 65535) {
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}".`);
  }
  return port;
}

/** Parses an HTTP header name, such as x-pllay-signature. */
export function parseHeaderName(value: string): string {
  if (!HEADER_NAME.test(value)) {
    throw new InvalidArgumentError(`expected a header name such as x-pllay-signature, got "${value}".`);
  }
  return value;
}
