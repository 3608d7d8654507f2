import { describe, expect, it } from 'vitest';

import { hashId64, IdTable, type IdHash } from '../../src/replay/id-table.js';

/**
 * Gives every id the last slot as its first, so that probes wrap around, and
 * a distinct key unless two ids share their length.
 */
const sameSlotHash: IdHash = (id, out) => {
  out[0] = id.length;
  out[1] = 0xffffffff;
};

/** Gives ids that differ only after their first four characters the same 64-bit key. */
const prefixHash: IdHash = (id, out) => {
  out[0] = 0;
  out[1] = (id.charCodeAt(0) << 24) | (id.charCodeAt(1) << 16) | (id.charCodeAt(2) << 8) | id.charCodeAt(3);
};

function hashOf(id: string): string {
  const out = new Uint32Array(2);
  hashId64(id, out);
  return `${out[0]}:${out[1]}`;
}

describe('IdTable', () => {
  it('finds only inserted ids', () => {
    const table = new IdTable();
    table.insert('evt_1');
    table.insert('evt_2');

    expect(table.find('evt_1')).not.toBe(-1);
    expect(table.find('evt_2')).not.toBe(-1);
    expect(table.find('evt_3')).toBe(-1);
    expect(table.size).toBe(2);
  });

  it('inserts an id once', () => {
    const table = new IdTable();
    const first = table.insert('evt_1');
    const second = table.insert('evt_1');

    expect(second).toBe(first);
    expect(table.size).toBe(1);
  });

  it('keeps flags per id', () => {
    const table = new IdTable();
    table.setFlagsAt(table.insert('evt_1'), 0b101);
    table.setFlagsAt(table.insert('evt_2'), 0b010);

    expect(table.flagsOf('evt_1')).toBe(0b101);
    expect(table.flagsOf('evt_2')).toBe(0b010);
    expect(table.flagsOf('evt_absent')).toBe(0);
  });

  it('keeps only seven flag bits', () => {
    const table = new IdTable();
    const slot = table.insert('evt_1');
    table.setFlagsAt(slot, 0xff);

    expect(table.flagsAt(slot)).toBe(0x7f);
    expect(table.find('evt_1')).toBe(slot);
  });

  it('clears flag bits everywhere', () => {
    const table = new IdTable();
    table.setFlagsAt(table.insert('evt_1'), 0b1100);
    table.setFlagsAt(table.insert('evt_2'), 0b1000);
    table.clearFlags(0b1000);

    expect(table.flagsOf('evt_1')).toBe(0b0100);
    expect(table.flagsOf('evt_2')).toBe(0);
    expect(table.find('evt_2')).not.toBe(-1);
  });

  it('counts per id', () => {
    const table = new IdTable({ counts: true });
    table.incrementAt(table.insert('evt_1'));
    table.incrementAt(table.insert('evt_1'));
    table.incrementAt(table.insert('evt_2'));

    expect(table.countAt(table.find('evt_1'))).toBe(2);
    expect(table.countAt(table.find('evt_2'))).toBe(1);
  });

  it('rejects counts when created without', () => {
    const table = new IdTable();

    expect(() => table.countAt(table.insert('evt_1'))).toThrow(/without counts/);
  });

  it('keeps entries across growth', () => {
    const table = new IdTable({ counts: true });
    for (let index = 0; index < 50_000; index++) {
      const slot = table.insert(`evt_${index}`);
      table.setFlagsAt(slot, index % 128);
      table.incrementAt(slot);
    }

    expect(table.size).toBe(50_000);
    for (let index = 0; index < 50_000; index += 997) {
      const slot = table.find(`evt_${index}`);
      expect(slot).not.toBe(-1);
      expect(table.flagsAt(slot)).toBe(index % 128);
      expect(table.countAt(slot)).toBe(1);
    }
    expect(table.find('evt_50000')).toBe(-1);
  });

  it('visits every id once', () => {
    const table = new IdTable({ counts: true });
    for (let index = 0; index < 3000; index++) {
      table.setFlagsAt(table.insert(`evt_${index}`), 1);
    }
    let visits = 0;
    let flagSum = 0;
    table.forEach((flags, count) => {
      visits++;
      flagSum += flags;
      expect(count).toBe(0);
    });

    expect(visits).toBe(3000);
    expect(flagSum).toBe(3000);
  });
});

describe('IdTable collisions', () => {
  it('probes past ids in the same slot', () => {
    const table = new IdTable({ hash: sameSlotHash });
    const ids = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    ids.forEach((id, index) => table.setFlagsAt(table.insert(id), index + 1));

    expect(table.size).toBe(5);
    ids.forEach((id, index) => expect(table.flagsOf(id)).toBe(index + 1));
    expect(table.find('ffffff')).toBe(-1);
  });

  it('probes across growth and wraparound', () => {
    const table = new IdTable({ hash: sameSlotHash, initialCapacity: 8 });
    const ids = Array.from({ length: 2000 }, (_, index) => 'x'.repeat(index + 1));
    ids.forEach((id) => table.insert(id));

    expect(table.size).toBe(2000);
    expect(ids.every((id) => table.find(id) !== -1)).toBe(true);
    expect(table.find('x'.repeat(2001))).toBe(-1);
  });

  it('merges ids with equal hashes', () => {
    const table = new IdTable({ hash: prefixHash });
    const first = table.insert('evt_one');
    const second = table.insert('evt_two');

    expect(second).toBe(first);
    expect(table.size).toBe(1);
    expect(table.find('evt_three')).toBe(first);
  });
});

describe('hashId64', () => {
  it('differs for a million ids', () => {
    const seen = new IdTable({ hash: (id, out) => hashId64(id, out) });
    for (let index = 0; index < 1_000_000; index++) {
      seen.insert(`evt_${String(index).padStart(16, '0')}`);
    }

    expect(seen.size).toBe(1_000_000);
  });

  it('differs for near ids', () => {
    const ids = ['', 'a', 'b', 'ab', 'ba', 'a\u0000', '\u0000a', 'évt_1', 'evt_1', 'evt_10', 'evt_01'];

    expect(new Set(ids.map(hashOf)).size).toBe(ids.length);
  });

  it('returns the same hash twice', () => {
    expect(hashOf('evt_1')).toBe(hashOf('evt_1'));
  });
});
