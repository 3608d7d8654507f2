import { randomBytes } from 'node:crypto';

import { newId } from './envelope.js';
import { generateEvent, mapTimestamps, rewriteIdStrings, type GenerateOptions } from './generate.js';
import { loadFixture } from './fixtures.js';
import { deepMerge, setPath } from './overrides.js';

/** One event made from a template: the body that is signed and sent, with its envelope id and type. */
export interface TemplateEvent {
  id: unknown;
  type: unknown;
  body: string;
}

/** A value that changes from one event to the next, and where it sits in the body. */
type Slot =
  | { kind: 'event-id' }
  | { kind: 'created' }
  | { kind: 'time'; fixtureValue: number }
  | { kind: 'object-id'; jsonSuffix: string };

/**
 * Makes events of one type and one set of options, each with the body that
 * `generateEvent` would make: a fresh envelope id, a fresh object id and
 * times moved to `created` (now, unless the options fix it). The body is
 * serialised once, at compile time, into text with slots for the values
 * that change, so that each event costs a few string joins instead of a
 * clone, two walks of the object and a JSON.stringify.
 */
export class EventTemplate {
  readonly #options: GenerateOptions;
  readonly #occurredAt: number;
  readonly #parts: string[];
  readonly #slots: Slot[];
  readonly #objectIdPrefix: string | undefined;
  readonly #id: unknown;
  readonly #type: unknown;

  private constructor(options: GenerateOptions, compiled: CompiledBody) {
    this.#options = options;
    this.#occurredAt = compiled.occurredAt;
    this.#parts = compiled.parts;
    this.#slots = compiled.slots;
    this.#objectIdPrefix = compiled.objectIdPrefix;
    this.#id = compiled.id;
    this.#type = compiled.type;
  }

  /**
   * Compiles the fixture of `options.type` with the options applied. Throws
   * what `generateEvent` throws for the same options, such as an unknown
   * type or a `set` path that does not fit.
   */
  static compile(options: GenerateOptions): EventTemplate {
    generateEvent(options);
    return new EventTemplate(options, compileBody(options));
  }

  /** Makes the next event. */
  next(): TemplateEvent {
    const created = this.#options.created ?? Math.floor(Date.now() / 1000);
    const delta = created - this.#occurredAt;
    const objectId = this.#objectIdPrefix === undefined ? '' : newId(this.#objectIdPrefix);
    const eventId = this.#options.id ?? newId('evt');
    const parts = this.#parts;
    const slots = this.#slots;

    let body = parts[0]!;
    for (let index = 0; index < slots.length; index++) {
      body += slotText(slots[index]!, { eventId, created, delta, objectId }) + parts[index + 1]!;
    }

    return { id: this.#id === EVENT_ID ? eventId : this.#id, type: this.#type, body };
  }
}

/** Marks the envelope id in a compiled template whose id is fresh for each event. */
const EVENT_ID = Symbol('event id');

interface SlotValues {
  eventId: string;
  created: number;
  delta: number;
  objectId: string;
}

function slotText(slot: Slot, values: SlotValues): string {
  switch (slot.kind) {
    case 'event-id':
      return JSON.stringify(values.eventId);
    case 'created':
      return jsonNumber(values.created);
    case 'time':
      return jsonNumber(slot.fixtureValue + values.delta);
    case 'object-id':
      // A fresh id is a prefix from the fixture and base62 characters, which JSON never escapes.
      return `"${values.objectId}${slot.jsonSuffix}"`;
  }
}

/** Serialises a number as JSON.stringify does: non-finite numbers become null. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

interface CompiledBody {
  occurredAt: number;
  parts: string[];
  slots: Slot[];
  objectIdPrefix: string | undefined;
  id: unknown;
  type: unknown;
}

/**
 * Builds the envelope as `generateEvent` does, but with a unique marker
 * string in place of each value that changes per event, serialises it, and
 * splits the text at the markers. A marker that `data` or `set` replaced is
 * not in the text, so that value stays as the options set it.
 */
function compileBody(options: GenerateOptions): CompiledBody {
  const fixture = loadFixture(options.type);
  const markers = new Markers();
  const object = structuredClone(fixture.object);

  markTimestamps(object, markers);
  const objectIdPrefix = options.id === undefined ? markObjectId(object, markers) : undefined;
  if (options.data) {
    deepMerge(object, options.data);
  }

  const envelope: Record<string, unknown> = {
    id: options.id ?? markers.add({ kind: 'event-id' }),
    type: options.type,
    created: options.created === undefined ? markers.add({ kind: 'created' }) : options.created,
    data: { object },
  };
  for (const { path, value } of options.set ?? []) {
    setPath(envelope, path, value);
  }

  const { parts, slots } = markers.split(JSON.stringify(envelope));
  return {
    occurredAt: fixture._meta.occurred_at,
    parts,
    slots,
    objectIdPrefix: slots.some((slot) => slot.kind === 'object-id') ? objectIdPrefix : undefined,
    id: markers.slotOf(envelope.id)?.kind === 'event-id' ? EVENT_ID : envelope.id,
    type: envelope.type,
  };
}

/** Replaces every timestamp that `generateEvent` moves with a marker. */
function markTimestamps(object: Record<string, unknown>, markers: Markers): void {
  mapTimestamps(object, (fixtureValue) => markers.add({ kind: 'time', fixtureValue }));
}

/**
 * Replaces the object id, and every string derived from it, with markers,
 * as `generateEvent` refreshes them. Returns the id's prefix, such as `pay`.
 */
function markObjectId(object: Record<string, unknown>, markers: Markers): string | undefined {
  const current = object.id;
  if (typeof current !== 'string' || !current.includes('_')) {
    return undefined;
  }

  rewriteIdStrings(object, current, (suffix) =>
    markers.add({ kind: 'object-id', jsonSuffix: JSON.stringify(suffix).slice(1, -1) }),
  );
  return current.slice(0, current.indexOf('_'));
}

/**
 * Marker strings, one per slot. Each contains a random 96-bit nonce, so text
 * in a fixture, `data` or `set` matches a marker only by a negligible chance.
 */
class Markers {
  readonly #nonce = randomBytes(12).toString('hex');
  readonly #slots = new Map<string, Slot>();

  add(slot: Slot): string {
    const marker = `\u0000slot-${this.#nonce}-${this.#slots.size}`;
    this.#slots.set(marker, slot);
    return marker;
  }

  slotOf(value: unknown): Slot | undefined {
    return typeof value === 'string' ? this.#slots.get(value) : undefined;
  }

  /** Splits serialised JSON at each marker, which JSON.stringify wrote as a quoted string. */
  split(json: string): { parts: string[]; slots: Slot[] } {
    const pattern = new RegExp(`"\\\\u0000slot-${this.#nonce}-(\\d+)"`, 'g');
    const slotList = [...this.#slots.values()];
    const parts: string[] = [];
    const slots: Slot[] = [];
    let start = 0;

    for (const match of json.matchAll(pattern)) {
      parts.push(json.slice(start, match.index));
      slots.push(slotList[Number(match[1])]!);
      start = match.index + match[0].length;
    }
    parts.push(json.slice(start));
    return { parts, slots };
  }
}
