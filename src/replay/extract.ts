import { decodeBody } from '../log/index.js';
import { PREFIXED_SIGNATURE_HEADER, SIGNATURE_HEADER } from '../signature/index.js';
import type { ValueFrame } from './frames.js';

/** Which kind of input line an event came from. */
export type EventShape = 'capture' | 'delivery' | 'envelope' | 'app-log';

/** An event found in a log, ready to be sent again exactly as it was logged. */
export interface LoggedEvent {
  id: string;
  type: string;
  /** The exact body bytes that were logged. */
  body: Buffer;
  /** The signature header as it arrived, when the log kept it. */
  signature?: { header: string; value: string };
  /** When the event was logged or created, in milliseconds since the epoch. */
  time?: number;
  shape: EventShape;
  /** Where it is: input name, line number and, inside a JSON array, element index. */
  file: string;
  line: number;
  element?: number;
}

/** The result of one delivery that a log recorded for an event. */
export interface LoggedOutcome {
  id: string;
  ok: boolean;
}

export type Extraction = { event?: LoggedEvent; outcome?: LoggedOutcome } | { unusable: string };

export interface ExtractOptions {
  /**
   * False to leave the body empty and the signature out where the id and
   * type can be read without them, for a pass that only selects events.
   * A line is unusable or not whatever this is. True by default.
   */
  keepBody?: boolean;
}

/** The empty body of events read with `keepBody: false`. */
const SKIPPED_BODY = Buffer.alloc(0);

/** Keys under which an app's own log lines often keep the webhook body. */
export const NESTED_BODY_KEYS = ['body', 'event', 'payload'] as const;

/** Keys of an app's log line that may contain the time it was logged. */
const TIME_KEYS = ['received_at', 'timestamp', '@timestamp', 'time'] as const;

const NO_EVENT =
  'no event: expected an envelope with "id", "type" and a "data" object, a pllay-hooks log record, ' +
  'or a log line with the envelope under "body", "event" or "payload"';

/** Finds the event (and for delivery records, the recorded outcome) in one JSON value of a log. */
export function extractEvent(
  frame: ValueFrame,
  file: string,
  options: ExtractOptions = {},
): Extraction {
  const value = frame.value;
  if (!isObject(value)) {
    return { unusable: NO_EVENT };
  }

  const where = {
    file,
    line: frame.line,
    ...(frame.element === undefined ? {} : { element: frame.element }),
  };
  if (value.kind === 'capture' || value.kind === 'delivery') {
    return fromLogRecord(value, where, options.keepBody !== false);
  }

  const nested = fromNestedBody(value, frame.raw, where);
  if (nested) {
    return nested;
  }
  if (isEnvelope(value) && isObject(value.data)) {
    const body = options.keepBody === false ? SKIPPED_BODY : Buffer.from(frame.raw, 'utf8');
    return { event: envelopeEvent(value, body, 'envelope', where) };
  }
  return { unusable: NO_EVENT };
}

type Where = Pick<LoggedEvent, 'file' | 'line' | 'element'>;

function fromLogRecord(
  record: Record<string, unknown>,
  where: Where,
  keepBody: boolean,
): Extraction {
  const named = typeof record.event_id === 'string' && typeof record.type === 'string';
  const body = keepBody || !named ? decodeBody(record) : skippedBody(record);
  if (body === undefined) {
    return { unusable: `${record.kind} record without a body` };
  }

  const parsed = named ? undefined : parseBody(body);
  const id = typeof record.event_id === 'string' ? record.event_id : stringField(parsed, 'id');
  const type = typeof record.type === 'string' ? record.type : stringField(parsed, 'type');
  if (id === undefined || type === undefined) {
    return {
      unusable: `${record.kind} record whose body is not an event envelope (no "id" or "type")`,
    };
  }

  const event: LoggedEvent = { id, type, body, shape: record.kind as EventShape, ...where };
  const time =
    record.kind === 'capture' ? parseTime(record.received_at) : firstAttemptTime(record.attempts);
  if (time !== undefined) {
    event.time = time;
  }

  if (record.kind === 'capture') {
    const signature = keepBody ? loggedSignature(record) : undefined;
    if (signature) {
      event.signature = signature;
    }
    return { event };
  }
  return typeof record.ok === 'boolean' ? { event, outcome: { id, ok: record.ok } } : { event };
}

/** Returns SKIPPED_BODY where decodeBody would return a body, undefined where it would not. */
function skippedBody(record: Record<string, unknown>): Buffer | undefined {
  const present = typeof record.body_base64 === 'string' || typeof record.body === 'string';
  return present ? SKIPPED_BODY : undefined;
}

function fromNestedBody(
  line: Record<string, unknown>,
  raw: string,
  where: Where,
): Extraction | undefined {
  for (const key of NESTED_BODY_KEYS) {
    const nested = line[key];

    if (typeof nested === 'string') {
      const parsed = parseBody(Buffer.from(nested, 'utf8'));
      if (isEnvelope(parsed)) {
        return {
          event: envelopeEvent(parsed, Buffer.from(nested, 'utf8'), 'app-log', where, line),
        };
      }
    } else if (isEnvelope(nested)) {
      const text = findMemberText(raw, key) ?? JSON.stringify(nested);
      return { event: envelopeEvent(nested, Buffer.from(text, 'utf8'), 'app-log', where, line) };
    }
  }
  return undefined;
}

function envelopeEvent(
  envelope: { id: string; type: string; created?: unknown },
  body: Buffer,
  shape: EventShape,
  where: Where,
  logLine?: Record<string, unknown>,
): LoggedEvent {
  const event: LoggedEvent = { id: envelope.id, type: envelope.type, body, shape, ...where };
  const time = (logLine ? logLineTime(logLine) : undefined) ?? parseTime(envelope.created);
  if (time !== undefined) {
    event.time = time;
  }
  return event;
}

function logLineTime(line: Record<string, unknown>): number | undefined {
  for (const key of TIME_KEYS) {
    const time = parseTime(line[key]);
    if (time !== undefined) {
      return time;
    }
  }
  return undefined;
}

/**
 * Reads a time as an ISO string, or as a number: seconds since the epoch,
 * or milliseconds when it is too large to be seconds.
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value > 1e11 ? value : value * 1000;
  }
  if (typeof value === 'string' && value !== '') {
    const time = Date.parse(value);
    return Number.isNaN(time) ? undefined : time;
  }
  return undefined;
}

function firstAttemptTime(attempts: unknown): number | undefined {
  return Array.isArray(attempts) && isObject(attempts[0]) ? parseTime(attempts[0].at) : undefined;
}

/** Returns the signature header of a capture record as it arrived, under its own name. */
function loggedSignature(
  record: Record<string, unknown>,
): { header: string; value: string } | undefined {
  if (!isObject(record.headers)) {
    return undefined;
  }

  const names =
    typeof record.signature_header === 'string'
      ? [record.signature_header]
      : [SIGNATURE_HEADER, PREFIXED_SIGNATURE_HEADER];
  for (const name of names) {
    const value = record.headers[name.toLowerCase()];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') {
      return { header: name.toLowerCase(), value: first };
    }
  }
  return undefined;
}

function parseBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEnvelope(
  value: unknown,
): value is { id: string; type: string; created?: unknown; data?: unknown } {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    value.id !== '' &&
    typeof value.type === 'string'
  );
}

function stringField(value: unknown, key: string): string | undefined {
  return isObject(value) && typeof value[key] === 'string' ? value[key] : undefined;
}

/**
 * Returns the exact text of the value of member `key` of the JSON object in
 * `raw`, so that a nested envelope keeps its escapes, spacing and key
 * order. With repeated keys, the last one wins, as in JSON.parse.
 */
export function findMemberText(raw: string, key: string): string | undefined {
  let found: string | undefined;
  let index = skipSpace(raw, raw.indexOf('{') + 1);

  while (index < raw.length && raw[index] === '"') {
    const keyEnd = stringEnd(raw, index);
    const name = JSON.parse(raw.slice(index, keyEnd)) as string;
    const valueStart = skipSpace(raw, skipSpace(raw, keyEnd) + 1);
    const valueEnd = valueEndIndex(raw, valueStart);

    if (name === key) {
      found = raw.slice(valueStart, valueEnd).trimEnd();
    }
    index = skipSpace(raw, valueEnd);
    index = raw[index] === ',' ? skipSpace(raw, index + 1) : raw.length;
  }
  return found;
}

function skipSpace(text: string, from: number): number {
  let index = from;
  while (index < text.length && ' \t\r\n'.includes(text[index]!)) {
    index++;
  }
  return index;
}

/** Index just after the closing quote of the string that starts at `start`. */
function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') {
      index++;
    } else if (text[index] === '"') {
      return index + 1;
    }
  }
  return text.length;
}

/** Index just after the JSON value that starts at `start`. */
function valueEndIndex(text: string, start: number): number {
  if (text[start] === '"') {
    return stringEnd(text, start);
  }

  let depth = 0;
  for (let index = start; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"') {
      index = stringEnd(text, index) - 1;
    } else if (char === '{' || char === '[') {
      depth++;
    } else if (char === '}' || char === ']') {
      if (depth === 0) {
        return index;
      }
      depth--;
      if (depth === 0) {
        return index + 1;
      }
    } else if (char === ',' && depth === 0) {
      return index;
    }
  }
  return text.length;
}
