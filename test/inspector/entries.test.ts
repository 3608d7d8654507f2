import { describe, expect, it } from 'vitest';

import { EntryStore, summarizeEntry } from '../../src/inspector/entries.js';
import type { CaptureRecord, DeliveryRecord } from '../../src/log/index.js';

function capture(id: string | null, size = 100): CaptureRecord {
  return {
    kind: 'capture',
    event_id: id,
    type: id === null ? null : 'payment.succeeded',
    received_at: '2025-01-31T12:00:00.000Z',
    method: 'POST',
    path: '/webhooks/pllay',
    headers: { 'content-type': 'application/json' },
    size,
    body: 'x'.repeat(size),
    signature: 'valid',
    signature_reason: 'signature matches',
  };
}

function delivery(id: string | null, status: number, source = 'forward'): DeliveryRecord {
  return {
    kind: 'delivery',
    source,
    event_id: id,
    type: 'payment.succeeded',
    body: '{}',
    signature: 'valid',
    target: 'http://127.0.0.1:3000/webhooks/pllay',
    ok: status < 300,
    attempts: [{ at: '2025-01-31T12:00:01.000Z', status, duration_ms: 12 }],
  };
}

function seqs(store: EntryStore): number[] {
  return [...store.entries()].map((entry) => entry.seq);
}

describe('entry store', () => {
  it('numbers entries in arrival order', () => {
    const store = new EntryStore();

    store.add(capture('evt_1'));
    store.add(capture('evt_2'));

    expect(seqs(store)).toEqual([1, 2]);
    expect(store.get(2)?.capture.event_id).toBe('evt_2');
  });

  it('drops the oldest past the count', () => {
    const store = new EntryStore({ maxEntries: 3 });

    for (let index = 1; index <= 5; index++) {
      store.add(capture(`evt_${index}`));
    }

    expect(seqs(store)).toEqual([3, 4, 5]);
    expect(store.get(2)).toBeUndefined();
    expect(store.get(3)?.capture.event_id).toBe('evt_3');
  });

  it('drops the oldest past the bytes', () => {
    const store = new EntryStore({ maxBytes: 250 });

    store.add(capture('evt_1', 100));
    store.add(capture('evt_2', 100));
    store.add(capture('evt_3', 100));

    expect(seqs(store)).toEqual([2, 3]);
  });

  it('keeps one entry over the bytes', () => {
    const store = new EntryStore({ maxBytes: 50 });

    store.add(capture('evt_1', 100));
    store.add(capture('evt_2', 100));

    expect(seqs(store)).toEqual([2]);
  });

  it('stays correct across compaction', () => {
    const store = new EntryStore({ maxEntries: 10 });

    for (let index = 1; index <= 5000; index++) {
      store.add(capture(`evt_${index}`));
    }

    expect(store.size).toBe(10);
    expect(seqs(store)).toEqual([4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000]);
    expect(store.get(4995)?.capture.event_id).toBe('evt_4995');
    expect(store.get(4990)).toBeUndefined();
    expect(store.get(5001)).toBeUndefined();
  });

  it('attaches a forward to its capture', () => {
    const store = new EntryStore();
    const first = capture('evt_1');
    const second = capture('evt_1');
    store.add(first);
    store.add(second);

    const entry = store.attach(delivery('evt_1', 200), first);

    expect(entry?.seq).toBe(1);
    expect(store.get(1)?.deliveries).toHaveLength(1);
    expect(store.get(2)?.deliveries).toHaveLength(0);
  });

  it('attaches a logged delivery by id', () => {
    const store = new EntryStore();
    store.add(capture('evt_1'));
    store.add(capture('evt_2'));

    const entry = store.attach(delivery('evt_1', 500));

    expect(entry?.seq).toBe(1);
    expect(store.attach(delivery('evt_unknown', 200))).toBeUndefined();
    expect(store.attach(delivery(null, 200))).toBeUndefined();
  });

  it('ignores deliveries of dropped entries', () => {
    const store = new EntryStore({ maxEntries: 1 });
    const first = capture('evt_1');
    store.add(first);
    store.add(capture('evt_2'));

    expect(store.attach(delivery('evt_1', 200), first)).toBeUndefined();
    expect(store.attach(delivery('evt_1', 200))).toBeUndefined();
    expect(store.entryOf(first)).toBeUndefined();
  });
});

describe('entry summary', () => {
  it('describes the last delivery', () => {
    const store = new EntryStore();
    const entry = store.add(capture('evt_1'));
    store.attach(delivery('evt_1', 500));
    store.attach(delivery('evt_1', 200, 'replay'));

    const summary = summarizeEntry(entry);

    expect(summary).toMatchObject({
      seq: 1,
      event_id: 'evt_1',
      verdict: 'valid',
      size: 100,
      deliveries: 2,
      last_delivery: { source: 'replay', ok: true, status: 200, duration_ms: 12 },
    });
    expect(summary).not.toHaveProperty('body');
    expect(summary).not.toHaveProperty('headers');
  });

  it('carries why it was not forwarded', () => {
    const store = new EntryStore();
    const entry = store.add(capture('evt_1'));
    entry.notForwarded = 'signature invalid';

    expect(summarizeEntry(entry).not_forwarded).toBe('signature invalid');
    expect(summarizeEntry(entry)).not.toHaveProperty('last_delivery');
  });
});
