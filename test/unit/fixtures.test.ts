import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  EVENT_TYPE_NAMES,
  FIXTURES_DIR,
  generateEvent,
  loadFixture,
  type Fixture,
} from '../../src/events/index.js';

// A fixture that is missing, misnamed or unregistered breaks `send --all` at run time, and a
// reviewer reading JSON cannot see it, so these checks walk the folder and the catalog together.
describe('fixture files', () => {
  const files = readdirSync(FIXTURES_DIR).filter((name) => name.endsWith('.json'));

  it('exist for every registered type', () => {
    for (const type of EVENT_TYPE_NAMES) {
      expect(files).toContain(`${type}.json`);
    }
  });

  it('are all registered types', () => {
    for (const file of files) {
      expect(EVENT_TYPE_NAMES).toContain(file.replace(/\.json$/, ''));
    }
  });

  it('hold nothing but fixtures', () => {
    expect(readdirSync(FIXTURES_DIR).sort()).toEqual(files.sort());
  });

  it.each(files)('%s parses with its type', (file) => {
    const fixture = JSON.parse(readFileSync(join(FIXTURES_DIR, file), 'utf8')) as Fixture;

    expect(fixture._meta.type).toBe(file.replace(/\.json$/, ''));
    expect(Number.isInteger(fixture._meta.occurred_at)).toBe(true);
    expect(typeof fixture.object).toBe('object');
  });
});

/** Object id prefix and status that each type's `data.object` must carry. */
const EXPECTED: Record<string, { prefix: string; status: string }> = {
  'kyc.started': { prefix: 'kyc_', status: 'pending' },
  'kyc.completed': { prefix: 'kyc_', status: 'completed' },
  'kyc.failed': { prefix: 'kyc_', status: 'failed' },
  'payment.created': { prefix: 'pay_', status: 'pending' },
  'payment.succeeded': { prefix: 'pay_', status: 'succeeded' },
  'payment.failed': { prefix: 'pay_', status: 'failed' },
  'payment.refunded': { prefix: 'pay_', status: 'refunded' },
  'wager.created': { prefix: 'wgr_', status: 'active' },
  'wager.completed': { prefix: 'wgr_', status: 'won' },
  'wager.cancelled': { prefix: 'wgr_', status: 'cancelled' },
  'tournament.started': { prefix: 'trn_', status: 'active' },
  'tournament.ended': { prefix: 'trn_', status: 'completed' },
  'tournament.cancelled': { prefix: 'trn_', status: 'cancelled' },
};

const AMOUNT_KEY = /amount|fee|prize|stake|payout|win$/i;
const TIME_KEY = /(At|Date)$/;
/** Unix seconds from 2001 to 2033: any number in this range is taken for a timestamp. */
const UNIX_SECONDS = { min: 1_000_000_000, max: 2_000_000_000 };

/** Lists every `[path, key, value]` inside a JSON value, depth first. */
function entries(value: unknown, path = ''): Array<[string, string, unknown]> {
  if (typeof value !== 'object' || value === null) {
    return [];
  }

  return Object.entries(value).flatMap(([key, child]): Array<[string, string, unknown]> => [
    [`${path}${key}`, key, child],
    ...entries(child, `${path}${key}.`),
  ]);
}

describe('generated envelopes', () => {
  const created = 1_800_000_000;

  it('cover every type', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...EVENT_TYPE_NAMES].sort());
  });

  it.each(EVENT_TYPE_NAMES)('%s has the guide envelope shape', (type) => {
    const { envelope, body } = generateEvent({ type, created });

    expect(Object.keys(envelope)).toEqual(['id', 'type', 'created', 'data']);
    expect(envelope.id).toMatch(/^evt_[0-9A-Za-z]{16}$/);
    expect(envelope.type).toBe(type);
    expect(envelope.created).toBe(created);
    expect(Object.keys(envelope.data)).toEqual(['object']);
    expect(JSON.parse(body)).toEqual(envelope);
  });

  it.each(EVENT_TYPE_NAMES)('%s has a prefixed object id and status', (type) => {
    const object = generateEvent({ type, created }).envelope.data.object;

    expect(object.id).toMatch(new RegExp(`^${EXPECTED[type]!.prefix}[0-9A-Za-z]{16}$`));
    expect(object.status).toBe(EXPECTED[type]!.status);
  });

  it.each(EVENT_TYPE_NAMES)('%s has prefixed related ids', (type) => {
    const object = generateEvent({ type, created }).envelope.data.object;

    for (const [path, key, value] of entries(object)) {
      if (key === 'userId' || key === 'winnerId') {
        expect(value, path).toMatch(/^usr_[0-9A-Za-z]+$/);
      }
      if (key === 'gameId') {
        expect(value, path).toMatch(/^game_[0-9A-Za-z]+$/);
      }
      if (key === 'winners') {
        expect(value, path).toEqual(expect.arrayContaining([expect.stringMatching(/^usr_/)]));
      }
    }
  });

  it.each(EVENT_TYPE_NAMES)('%s has integer amounts in USD', (type) => {
    const object = generateEvent({ type, created }).envelope.data.object;
    const amounts = entries(object).filter(([, key, value]) => AMOUNT_KEY.test(key) && typeof value === 'number');

    for (const [path, , value] of amounts) {
      expect(Number.isInteger(value), path).toBe(true);
      expect(value as number, path).toBeGreaterThanOrEqual(0);
    }
    if (amounts.length > 0) {
      expect(object.currency).toBe('USD');
    }
  });

  it('gives payments and wagers an amount', () => {
    for (const type of EVENT_TYPE_NAMES.filter((name) => /^(payment|wager)\./.test(name))) {
      const object = generateEvent({ type, created }).envelope.data.object;

      expect(Number.isInteger(object.amount), type).toBe(true);
      expect(object.amount as number, type).toBeGreaterThan(0);
    }
  });

  it.each(EVENT_TYPE_NAMES)('%s names every timestamp field', (type) => {
    const fixture = loadFixture(type);

    for (const [path, key, value] of entries(fixture.object)) {
      if (typeof value === 'number' && value >= UNIX_SECONDS.min && value <= UNIX_SECONDS.max) {
        expect(key, `${path} looks like unix seconds but is not named …At or …Date`).toMatch(TIME_KEY);
      }
    }
  });

  it.each(EVENT_TYPE_NAMES)('%s shifts timestamps to created', (type) => {
    const fixture = loadFixture(type);
    const object = generateEvent({ type, created }).envelope.data.object;
    const shift = created - fixture._meta.occurred_at;
    const original = new Map(entries(fixture.object).map(([path, , value]) => [path, value]));
    const times = entries(object).filter(([, key, value]) => TIME_KEY.test(key) && typeof value === 'number');

    expect(times.length).toBeGreaterThan(0);
    for (const [path, , value] of times) {
      expect(value, path).toBe((original.get(path) as number) + shift);
    }
    expect(times.map(([, , value]) => value)).toContain(created);
  });

  it.each(EVENT_TYPE_NAMES)('%s gets fresh ids each time', (type) => {
    const first = generateEvent({ type }).envelope;
    const second = generateEvent({ type }).envelope;

    expect(first.id).not.toBe(second.id);
    expect(first.data.object.id).not.toBe(second.data.object.id);
  });

  it('keeps the client secret tied to the payment id', () => {
    const object = generateEvent({ type: 'payment.created', created }).envelope.data.object;

    expect(object.clientSecret).toMatch(new RegExp(`^${object.id as string}_secret_`));
  });

  it('leaves the fixture itself unchanged', () => {
    const before = JSON.stringify(loadFixture('wager.completed'));

    generateEvent({ type: 'wager.completed', created, set: [{ path: ['data', 'object', 'amount'], value: 1 }] });

    expect(JSON.stringify(loadFixture('wager.completed'))).toBe(before);
  });
});
