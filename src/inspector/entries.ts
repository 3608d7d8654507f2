import type { AttemptRecord, CaptureRecord, DeliveryRecord } from '../log/index.js';
import type { SignatureVerdict } from '../signature/index.js';

/** Captured events that the inspector keeps in memory, unless the byte limit is reached first. */
export const DEFAULT_MAX_ENTRIES = 10_000;

/** Body bytes that the inspector keeps in memory. Past it, the oldest events are dropped first. */
export const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** One captured request and every delivery of it that the log or this run recorded. */
export interface Entry {
  /** Position in the inspector's list, 1 for the first entry. A number is never reused. */
  seq: number;
  capture: CaptureRecord;
  deliveries: DeliveryRecord[];
  /** Why listen did not forward it, such as an invalid signature. */
  notForwarded?: string;
}

/** The last delivery of an event, as the list shows it. */
export interface DeliverySummary {
  source: string;
  ok: boolean;
  target: string;
  status?: number;
  error?: string;
  duration_ms?: number;
}

/** An entry as the list needs it: no body, no headers. */
export interface EntrySummary {
  seq: number;
  event_id: string | null;
  type: string | null;
  received_at: string;
  verdict: SignatureVerdict;
  reason: string;
  size: number;
  path: string;
  deliveries: number;
  last_delivery?: DeliverySummary;
  not_forwarded?: string;
}

/**
 * The most recent entries, oldest first, bounded by count and by body
 * bytes. Entries are numbered in arrival order, so that the client and the
 * API can name one even after older entries were dropped.
 */
export class EntryStore {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Kept entries from index #start on. Dropped ones before it are cleared, then compacted away. */
  readonly #entries: Array<Entry | undefined> = [];
  #start = 0;
  #bytes = 0;
  #nextSeq = 1;
  /** Latest entry of each event id, to attach the delivery records that a log holds. */
  readonly #byEventId = new Map<string, Entry>();
  /** Entry of each capture record of this run, to attach its forward. */
  readonly #byCapture = new WeakMap<CaptureRecord, Entry>();

  constructor(options: { maxEntries?: number; maxBytes?: number } = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  }

  get size(): number {
    return this.#entries.length - this.#start;
  }

  /** Adds a captured request as the newest entry, dropping the oldest past the limits. */
  add(capture: CaptureRecord): Entry {
    const entry: Entry = { seq: this.#nextSeq++, capture, deliveries: [] };
    this.#entries.push(entry);
    this.#bytes += capture.size;
    this.#byCapture.set(capture, entry);
    if (capture.event_id !== null) {
      this.#byEventId.set(capture.event_id, entry);
    }

    this.#evict();
    return entry;
  }

  /**
   * Attaches a delivery record to the entry of its capture record, when it
   * is the object that add() received, else to the latest entry with the
   * same event id. Returns the entry, or undefined when none is kept.
   */
  attach(delivery: DeliveryRecord, capture?: CaptureRecord): Entry | undefined {
    const byCapture = capture === undefined ? undefined : this.#byCapture.get(capture);
    const entry =
      byCapture ??
      (delivery.event_id === null ? undefined : this.#byEventId.get(delivery.event_id));

    if (entry === undefined || !this.#isKept(entry)) {
      return undefined;
    }
    entry.deliveries.push(delivery);
    return entry;
  }

  /** Returns the entry of a capture record that add() received, while it is kept. */
  entryOf(capture: CaptureRecord): Entry | undefined {
    const entry = this.#byCapture.get(capture);
    return entry !== undefined && this.#isKept(entry) ? entry : undefined;
  }

  get(seq: number): Entry | undefined {
    const first = this.#entries[this.#start];
    if (first === undefined || !Number.isInteger(seq) || seq < first.seq) {
      return undefined;
    }
    return this.#entries[this.#start + (seq - first.seq)];
  }

  /** Entries from oldest to newest. */
  *entries(): IterableIterator<Entry> {
    for (let index = this.#start; index < this.#entries.length; index++) {
      yield this.#entries[index]!;
    }
  }

  #isKept(entry: Entry): boolean {
    return this.get(entry.seq) === entry;
  }

  #evict(): void {
    // The newest entry stays even when its body alone is over the byte limit.
    while (this.size > 1 && (this.size > this.maxEntries || this.#bytes > this.maxBytes)) {
      const oldest = this.#entries[this.#start]!;
      this.#entries[this.#start] = undefined;
      this.#start++;
      this.#bytes -= oldest.capture.size;
      const id = oldest.capture.event_id;
      if (id !== null && this.#byEventId.get(id) === oldest) {
        this.#byEventId.delete(id);
      }
    }

    // Compacting once half the array is dropped entries keeps add() amortised O(1).
    if (this.#start > 1024 && this.#start * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#start);
      this.#start = 0;
    }
  }
}

/** Returns what the list shows of an entry. */
export function summarizeEntry(entry: Entry): EntrySummary {
  const { capture } = entry;
  const last = entry.deliveries.at(-1);

  return {
    seq: entry.seq,
    event_id: capture.event_id,
    type: capture.type,
    received_at: capture.received_at,
    verdict: capture.signature,
    reason: capture.signature_reason ?? '',
    size: capture.size,
    path: capture.path,
    deliveries: entry.deliveries.length,
    ...(last === undefined ? {} : { last_delivery: summarizeDelivery(last) }),
    ...(entry.notForwarded === undefined ? {} : { not_forwarded: entry.notForwarded }),
  };
}

function summarizeDelivery(delivery: DeliveryRecord): DeliverySummary {
  const attempt: AttemptRecord | undefined = delivery.attempts.at(-1);

  return {
    source: delivery.source,
    ok: delivery.ok,
    target: delivery.target,
    ...(attempt?.status === undefined ? {} : { status: attempt.status }),
    ...(attempt?.error === undefined ? {} : { error: attempt.error }),
    ...(attempt === undefined ? {} : { duration_ms: attempt.duration_ms }),
  };
}
