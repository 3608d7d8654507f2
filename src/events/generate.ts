import { UsageError } from '../errors.js';
import { EVENT_TYPE_NAMES, isEventType, suggestEventType } from './catalog.js';
import { newId, type Envelope } from './envelope.js';
import { loadFixture } from './fixtures.js';
import { deepMerge, setPath } from './overrides.js';

export interface GenerateOptions {
  type: string;
  /** Envelope id; a fresh `evt_…` id when absent. */
  id?: string;
  /** Envelope `created` in unix seconds; now when absent. */
  created?: number;
  /** Object merged over `data.object`. */
  data?: Record<string, unknown>;
  /** Paths into the envelope and their values, applied last. */
  set?: ReadonlyArray<{ path: string[]; value: unknown }>;
}

/** A generated event: the envelope and the exact body bytes that are signed and sent. */
export interface GeneratedEvent {
  envelope: Envelope;
  body: string;
}

/**
 * Generates a realistic event of a type from its fixture, with a fresh
 * envelope id, a fresh object id and timestamps moved to `created`.
 */
export function generateEvent(options: GenerateOptions): GeneratedEvent {
  assertEventType(options.type);

  const fixture = loadFixture(options.type);
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const object = structuredClone(fixture.object);

  const delta = created - fixture._meta.occurred_at;
  mapTimestamps(object, (seconds) => seconds + delta);
  if (options.id === undefined) {
    refreshObjectId(object);
  }
  if (options.data) {
    deepMerge(object, options.data);
  }

  const envelope: Envelope = {
    id: options.id ?? newId('evt'),
    type: options.type,
    created,
    data: { object },
  };
  for (const { path, value } of options.set ?? []) {
    setPath(envelope as unknown as Record<string, unknown>, path, value);
  }

  return { envelope, body: JSON.stringify(envelope) };
}

/** Throws a usage error naming the nearest known type when `type` is unknown. */
export function assertEventType(type: string): void {
  if (isEventType(type)) {
    return;
  }

  const suggestion = suggestEventType(type);
  throw new UsageError(
    'E_UNKNOWN_EVENT_TYPE',
    `unknown event type "${type}"` + (suggestion ? `; did you mean "${suggestion}"?` : ''),
    `known types: ${EVENT_TYPE_NAMES.join(', ')} (see: pllay-hooks events)`,
  );
}

/**
 * Gives the object a fresh id with the same prefix, and rewrites the values
 * derived from the old id, such as a payment's `pay_…_secret_…` client secret.
 */
function refreshObjectId(object: Record<string, unknown>): void {
  const current = object.id;
  if (typeof current !== 'string' || !current.includes('_')) {
    return;
  }

  const fresh = newId(current.slice(0, current.indexOf('_')));
  rewriteIdStrings(object, current, (suffix) => `${fresh}${suffix}`);
}

/**
 * Replaces, at any depth, each string that is the id or starts with the id
 * and an underscore, such as `pay_1` or `pay_1_refund`, by what `rewrite`
 * returns for the rest of the string after the id.
 */
export function rewriteIdStrings(value: unknown, id: string, rewrite: (suffix: string) => unknown): void {
  if (typeof value !== 'object' || value === null) {
    return;
  }

  const container = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(container)) {
    if (typeof child === 'string' && (child === id || child.startsWith(`${id}_`))) {
      container[key] = rewrite(child.slice(id.length));
    } else {
      rewriteIdStrings(child, id, rewrite);
    }
  }
}

const TIME_KEY = /(At|Date)$/;

/**
 * Replaces every unix-seconds field named `…At` or `…Date`, at any depth,
 * with what `map` returns for it. Generation moves each by the same delta.
 */
export function mapTimestamps(value: unknown, map: (seconds: number) => unknown): void {
  if (typeof value !== 'object' || value === null) {
    return;
  }

  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'number' && TIME_KEY.test(key)) {
      (value as Record<string, unknown>)[key] = map(child);
    } else {
      mapTimestamps(child, map);
    }
  }
}
