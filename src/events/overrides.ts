import { UsageError } from '../errors.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Parses a `--set path=value` argument. The value is parsed as JSON when it
 * parses (`5000`, `true`, `{"a":1}`), else it is kept as a string. Rejects a
 * number that would be sent as another value (see inexactNumber).
 */
export function parseSetArgument(argument: string): { path: string[]; value: unknown } {
  const equals = argument.indexOf('=');
  if (equals <= 0) {
    throw new UsageError(
      'E_SET_SYNTAX',
      `invalid --set "${argument}": expected path=value`,
      'for example: --set data.object.amount=5000',
    );
  }

  const path = splitSetPath(argument.slice(0, equals));
  if (path === undefined) {
    throw new UsageError(
      'E_SET_PATH',
      `invalid --set path "${argument.slice(0, equals)}": keys must be non-empty and not __proto__, prototype or constructor`,
      'for example: --set data.object.status=failed',
    );
  }

  const text = argument.slice(equals + 1);
  const value = parseLooseJson(text);
  const inexact = inexactNumber(value);
  if (inexact !== undefined) {
    const quoted = typeof value === 'number' ? `${argument.slice(0, equals)}='"${text.trim()}"'` : undefined;
    throw new UsageError(
      'E_SET_NUMBER',
      `invalid --set "${argument}": ${describeInexactNumber(inexact)}`,
      quoted === undefined ? 'write the number as a JSON string, such as "12345678901234567890"' : `quote it to send a string: --set ${quoted}`,
    );
  }
  return { path, value };
}

/**
 * Returns the first number in a parsed JSON value that may not be sent as written. JSON.parse
 * can round a whole number outside ±(2^53 - 1), so 12345678901234567890 becomes
 * 12345678901234567000. An overflow such as 1e400 becomes Infinity, which JSON.stringify writes
 * as null.
 */
function inexactNumber(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value)) ? undefined : value;
  }
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }

  for (const child of Object.values(value)) {
    const found = inexactNumber(child);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** Splits a dotted path such as `data.object.amount` into its keys; undefined when a key is empty or unsafe. */
export function splitSetPath(path: string): string[] | undefined {
  const keys = path.split('.');
  return keys.some((key) => key === '' || FORBIDDEN_KEYS.has(key)) ? undefined : keys;
}

function parseLooseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Sets a value at a path inside an object, creating missing objects on the
 * way. Fails when the path runs through a value that is not an object.
 */
export function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current: unknown = target;

  for (const [depth, key] of path.entries()) {
    if (typeof current !== 'object' || current === null) {
      const parent = path.slice(0, depth).join('.');
      throw new UsageError(
        'E_SET_PATH',
        `cannot set "${path.join('.')}": "${parent}" is ${describe(current)}, not an object`,
        'set the parent itself, for example --set ' + `${parent}='{"${key}":…}'`,
      );
    }

    const container = current as Record<string, unknown>;
    if (depth === path.length - 1) {
      container[key] = value;
      return;
    }
    if (!Object.hasOwn(container, key)) {
      container[key] = {};
    }
    current = container[key];
  }
}

function describeInexactNumber(value: number): string {
  return Number.isFinite(value)
    ? `a whole number beyond ±(2^53 - 1) is not exact in JSON, so it would be sent as ${JSON.stringify(value)}`
    : 'the number overflows, so it would be sent as null';
}

function describe(value: unknown): string {
  return value === null ? 'null' : `a ${typeof value} (${JSON.stringify(value)})`;
}

/** Merges `patch` over `base` in place: objects merge key by key, anything else replaces. */
export function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (FORBIDDEN_KEYS.has(key)) {
      continue;
    }

    const existing = base[key];
    if (isPlainObject(existing) && isPlainObject(value)) {
      deepMerge(existing, value);
    } else {
      base[key] = value;
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
