import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { EVENT_TYPE_NAMES, EventTemplate, generateEvent, type GenerateOptions } from '../../src/events/index.js';
import { splitSetPath } from '../../src/events/overrides.js';

// A fixed seed keeps CI repeatable; change it to explore other inputs.
fc.configureGlobal({ seed: 20261204 });

const RUNS = 300;

/** Replaces every generated id, such as `evt_1Qm7ZpX2cT9vLr4K`, with its prefix and `_*`. */
function withoutIds(body: string): string {
  return body.replace(/\b([a-z]+)_[0-9A-Za-z]{16}(?![0-9A-Za-z])/g, '$1_*');
}

/** Calls `run` and returns what it threw, or undefined. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Keys that the fixtures use, so that random paths often land on real fields. */
const KEYS = ['id', 'type', 'created', 'data', 'object', 'amount', 'createdAt', 'processedAt', 'userId', 'clientSecret', 'meta', '0'];
const keys = fc.oneof(fc.constantFrom(...KEYS), fc.string({ minLength: 1, maxLength: 4 }));
const paths = fc
  .array(keys, { minLength: 1, maxLength: 4 })
  .filter((path) => splitSetPath(path.join('.'))?.length === path.length);

const options = fc.record(
  {
    type: fc.constantFrom(...EVENT_TYPE_NAMES),
    id: fc.constantFrom('evt_fixed', 'evt_0000000000000000'),
    created: fc.integer({ min: 0, max: 4_000_000_000 }),
    data: fc.dictionary(keys, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    set: fc.array(fc.record({ path: paths, value: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 3 }),
  },
  { requiredKeys: ['type', 'created'] },
);

describe('EventTemplate', () => {
  it.each(EVENT_TYPE_NAMES)('matches the generator for %s', (type) => {
    const fixed = { type, id: 'evt_fixed', created: 1_700_000_000 };

    expect(EventTemplate.compile(fixed).next().body).toBe(generateEvent(fixed).body);
  });

  it('matches the generator for random options', () => {
    fc.assert(
      fc.property(options, (generated) => {
        const generateOptions = generated as GenerateOptions;
        const error = thrownBy(() => generateEvent(generateOptions));
        if (error !== undefined) {
          expect(thrownBy(() => EventTemplate.compile(generateOptions))).toEqual(error);
          return;
        }

        const template = EventTemplate.compile(generateOptions);
        const expected = generateEvent(generateOptions);
        const event = template.next();
        const body = generateOptions.id === undefined ? withoutIds(event.body) : event.body;

        expect(body).toBe(generateOptions.id === undefined ? withoutIds(expected.body) : expected.body);
        expect(event.id).toEqual(generateOptions.id === undefined ? JSON.parse(event.body).id : expected.envelope.id);
        expect(event.type).toEqual(expected.envelope.type);
      }),
      { numRuns: RUNS },
    );
  });

  it('makes fresh ids per event', () => {
    const template = EventTemplate.compile({ type: 'payment.created', created: 1_700_000_000 });

    const first = JSON.parse(template.next().body);
    const second = JSON.parse(template.next().body);

    expect(first.id).toMatch(/^evt_[0-9A-Za-z]{16}$/);
    expect(second.id).not.toBe(first.id);
    expect(first.data.object.id).toMatch(/^pay_[0-9A-Za-z]{16}$/);
    expect(second.data.object.id).not.toBe(first.data.object.id);
    expect(first.data.object.clientSecret).toMatch(new RegExp(`^${first.data.object.id}_secret_`));
  });

  it('returns the fresh event id', () => {
    const event = EventTemplate.compile({ type: 'wager.created' }).next();

    expect(event.id).toBe(JSON.parse(event.body).id);
    expect(event.type).toBe('wager.created');
  });

  it('moves times to now', () => {
    const template = EventTemplate.compile({ type: 'payment.succeeded' });
    const before = Math.floor(Date.now() / 1000);

    const envelope = JSON.parse(template.next().body);

    const after = Math.floor(Date.now() / 1000);
    expect(envelope.created).toBeGreaterThanOrEqual(before);
    expect(envelope.created).toBeLessThanOrEqual(after);
    expect(envelope.data.object.processedAt).toBe(envelope.created);
  });

  it('keeps values that set replaced', () => {
    const template = EventTemplate.compile({
      type: 'payment.created',
      set: [
        { path: ['id'], value: 'evt_custom' },
        { path: ['created'], value: 5 },
        { path: ['data', 'object', 'id'], value: 'pay_custom' },
      ],
    });

    const event = template.next();
    const envelope = JSON.parse(event.body);

    expect(event.id).toBe('evt_custom');
    expect(envelope.created).toBe(5);
    expect(envelope.data.object.id).toBe('pay_custom');
    expect(envelope.data.object.clientSecret).toMatch(/^pay_[0-9A-Za-z]{16}_secret_/);
  });

  it('throws what the generator throws', () => {
    const bad = { type: 'payment.succeeded', set: [{ path: ['data', 'object', 'amount', 'value'], value: 1 }] };

    const error = thrownBy(() => EventTemplate.compile(bad));

    expect(error).toBeInstanceOf(Error);
    expect(error).toEqual(thrownBy(() => generateEvent(bad)));
  });

  it('rejects an unknown type', () => {
    expect(() => EventTemplate.compile({ type: 'payment.succeded' })).toThrow(/did you mean "payment.succeeded"/);
  });
});
