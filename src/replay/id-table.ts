/**
 * Writes a 64-bit hash of an event id into `out[0]` (high word) and
 * `out[1]` (low word), as unsigned 32-bit integers.
 */
export type IdHash = (id: string, out: Uint32Array) => void;

/**
 * Hashes an id to 64 bits with two 32-bit multiply-rotate lanes over its
 * UTF-16 code units, using different constants in each lane, then mixes
 * the lanes into each other. It is not a cryptographic hash: the collision
 * odds that docs/replay.md gives assume that it spreads real ids like a
 * random function, which a test checks on a million generated ids.
 */
export const hashId64: IdHash = (id, out) => {
  let high = 0x9e3779b9 ^ id.length;
  let low = 0x7f4a7c15 ^ Math.imul(id.length, 0x85ebca6b);

  for (let index = 0; index < id.length; index++) {
    const unit = id.charCodeAt(index);
    high = Math.imul(high ^ unit, 0xcc9e2d51);
    high = (high << 15) | (high >>> 17);
    low = Math.imul(low ^ unit, 0x1b873593);
    low = (low << 13) | (low >>> 19);
    low = (Math.imul(low, 5) + 0xe6546b64) | 0;
  }

  high = finalMix(high ^ low);
  low = finalMix(low + high);
  out[0] = finalMix(high + low) >>> 0;
  out[1] = low >>> 0;
};

/** Spreads every input bit over all 32 output bits (the finaliser of MurmurHash3). */
function finalMix(value: number): number {
  let mixed = value ^ (value >>> 16);
  mixed = Math.imul(mixed, 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  return mixed ^ (mixed >>> 16);
}

export interface IdTableOptions {
  /** The 64-bit hash of ids; `hashId64` unless a test forces collisions. */
  hash?: IdHash;
  /** Keep a 32-bit counter per id beside its flags (4 more bytes per slot). */
  counts?: boolean;
  /** Slots to start with; at least 1024. */
  initialCapacity?: number;
}

/** Largest share of slots in use before the table grows. */
const MAX_LOAD = 0.75;
/**
 * Growth factor. Growing by half keeps 1.33 to 2 slots per id, and at most
 * 3.33 while the old and new arrays coexist. Doubling would need up to 2.67
 * and 4.
 */
const GROWTH = 1.5;
const OCCUPIED = 0x80;
const MIN_CAPACITY = 1024;
const TWO_TO_32 = 2 ** 32;

/**
 * A set of event ids with 7 bits of flags (and optionally a counter) per id,
 * stored as the 64-bit hash of each id in typed arrays, with linear probing.
 * It takes 9 bytes per slot (13 with counts) and no string per id, so a
 * million ids take 12 to 18 MB however long the ids are.
 *
 * Two ids with the same 64-bit hash are one entry here: the table cannot
 * tell them apart. If `hashId64` spreads ids like a random function, the
 * odds that any two of n distinct ids collide are about n² / 2⁶⁵ (about 3 in
 * 100 million for a million ids).
 *
 * A slot number from `find` or `insert` is valid until the next `insert`,
 * which may move every entry.
 */
export class IdTable {
  readonly #hash: IdHash;
  readonly #scratch = new Uint32Array(2);
  #keys: Uint32Array;
  #flags: Uint8Array;
  #counts: Uint32Array | undefined;
  #capacity: number;
  #size = 0;

  constructor(options: IdTableOptions = {}) {
    this.#hash = options.hash ?? hashId64;
    const capacity = Math.max(MIN_CAPACITY, Math.ceil(options.initialCapacity ?? 0));
    this.#keys = new Uint32Array(capacity * 2);
    this.#flags = new Uint8Array(capacity);
    this.#counts = options.counts ? new Uint32Array(capacity) : undefined;
    this.#capacity = capacity;
  }

  /** Number of distinct ids (distinct hashes) in the table. */
  get size(): number {
    return this.#size;
  }

  /** Whether the table keeps a counter per id. */
  get counts(): boolean {
    return this.#counts !== undefined;
  }

  /** Returns the slot of `id`, or -1 when the table does not contain it. */
  find(id: string): number {
    this.#hash(id, this.#scratch);
    const slot = this.#probe(this.#scratch[0]!, this.#scratch[1]!);
    return this.#flags[slot]! & OCCUPIED ? slot : -1;
  }

  /** Returns the slot of `id`, adding it with no flags and a zero count when absent. */
  insert(id: string): number {
    if (this.#size + 1 > this.#capacity * MAX_LOAD) {
      this.#grow();
    }

    this.#hash(id, this.#scratch);
    const high = this.#scratch[0]!;
    const low = this.#scratch[1]!;
    const slot = this.#probe(high, low);
    if (!(this.#flags[slot]! & OCCUPIED)) {
      this.#keys[slot * 2] = high;
      this.#keys[slot * 2 + 1] = low;
      this.#flags[slot] = OCCUPIED;
      this.#size++;
    }
    return slot;
  }

  /** Returns the 7 flag bits of `id`, 0 when absent. */
  flagsOf(id: string): number {
    const slot = this.find(id);
    return slot === -1 ? 0 : this.flagsAt(slot);
  }

  flagsAt(slot: number): number {
    return this.#flags[slot]! & ~OCCUPIED;
  }

  /** Replaces the flags of an occupied slot; only the low 7 bits are kept. */
  setFlagsAt(slot: number, flags: number): void {
    this.#flags[slot] = OCCUPIED | (flags & ~OCCUPIED);
  }

  countAt(slot: number): number {
    return this.#requireCounts()[slot]!;
  }

  /** Adds one to the counter of an occupied slot, stopping at 2³² − 1. */
  incrementAt(slot: number): void {
    const counts = this.#requireCounts();
    if (counts[slot]! < 0xffffffff) {
      counts[slot]!++;
    }
  }

  /** Clears the flag bits in `mask` of every id. */
  clearFlags(mask: number): void {
    const keep = ~(mask & ~OCCUPIED);
    for (let slot = 0; slot < this.#capacity; slot++) {
      this.#flags[slot]! &= keep;
    }
  }

  /** Calls `visit` with the flags and count (0 without counts) of every id, in no set order. */
  forEach(visit: (flags: number, count: number) => void): void {
    for (let slot = 0; slot < this.#capacity; slot++) {
      if (this.#flags[slot]! & OCCUPIED) {
        visit(this.flagsAt(slot), this.#counts?.[slot] ?? 0);
      }
    }
  }

  /** Returns the slot that contains this hash, or the empty slot where it would go. */
  #probe(high: number, low: number): number {
    const keys = this.#keys;
    const flags = this.#flags;
    const capacity = this.#capacity;
    // The low word, scaled to the capacity, picks the first slot. Math.min
    // guards against a product that rounds up to the capacity itself.
    let slot = Math.min(capacity - 1, Math.floor((low / TWO_TO_32) * capacity));

    while (flags[slot]! & OCCUPIED) {
      if (keys[slot * 2] === high && keys[slot * 2 + 1] === low) {
        return slot;
      }
      slot = slot + 1 === capacity ? 0 : slot + 1;
    }
    return slot;
  }

  /** Adds half as many slots again and moves every entry to its place in the new arrays. */
  #grow(): void {
    const oldKeys = this.#keys;
    const oldFlags = this.#flags;
    const oldCounts = this.#counts;
    const capacity = Math.ceil(this.#capacity * GROWTH);

    this.#keys = new Uint32Array(capacity * 2);
    this.#flags = new Uint8Array(capacity);
    this.#counts = oldCounts ? new Uint32Array(capacity) : undefined;
    this.#capacity = capacity;

    for (let old = 0; old < oldFlags.length; old++) {
      if (!(oldFlags[old]! & OCCUPIED)) {
        continue;
      }
      const slot = this.#probe(oldKeys[old * 2]!, oldKeys[old * 2 + 1]!);
      this.#keys[slot * 2] = oldKeys[old * 2]!;
      this.#keys[slot * 2 + 1] = oldKeys[old * 2 + 1]!;
      this.#flags[slot] = oldFlags[old]!;
      if (oldCounts) {
        this.#counts![slot] = oldCounts[old]!;
      }
    }
  }

  #requireCounts(): Uint32Array {
    if (!this.#counts) {
      throw new Error('this IdTable was created without counts');
    }
    return this.#counts;
  }
}
