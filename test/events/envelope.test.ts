import { describe, expect, it } from 'vitest';

import { newId } from '../../src/events/envelope.js';

describe('newId', () => {
  it('makes a prefix and 16 base62 characters', () => {
    expect(newId('evt')).toMatch(/^evt_[0-9A-Za-z]{16}$/);
  });

  it('never repeats across random pool refills', () => {
    // 1,000 ids draw 16,000 random bytes, so they cross several 4 KiB pools.
    const ids = Array.from({ length: 1000 }, () => newId('evt'));

    expect(new Set(ids).size).toBe(1000);
  });
});
