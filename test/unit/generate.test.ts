import { describe, expect, it } from 'vitest';

import { ExitCode, UsageError } from '../../src/errors.js';
import { generateEvent, parseSetArgument } from '../../src/events/index.js';
import { deepMerge, setPath } from '../../src/events/overrides.js';
import { thrownBy } from '../helpers/errors.js';

function usageError(run: () => unknown): UsageError {
  return thrownBy(run, UsageError);
}

describe('parseSetArgument', () => {
  it.each([
    ['data.object.amount=5000', 5000],
    ['data.object.flag=true', true],
    ['data.object.note=null', null],
    ['data.object.meta={"a":[1,2]}', { a: [1, 2] }],
    ['data.object.name="5000"', '5000'],
    ['data.object.status=failed', 'failed'],
    ['data.object.note=', ''],
    ['data.object.note=a=b', 'a=b'],
    ['data.object.note={not json', '{not json'],
  ])('parses %s', (argument, value) => {
    expect(parseSetArgument(argument).value).toEqual(value);
  });

  it('splits the path on dots', () => {
    expect(parseSetArgument('data.object.amount=1').path).toEqual(['data', 'object', 'amount']);
  });

  it.each(['amount', '=5', 'data..amount=1', 'data.object.=1'])('rejects %s', (argument) => {
    const error = usageError(() => parseSetArgument(argument));

    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain(argument.split('=')[0]);
  });

  it.each([
    ['data.object.amount=9007199254740991', 9007199254740991],
    ['data.object.amount=-9007199254740991', -9007199254740991],
    ['data.object.rate=0.1', 0.1],
    ['data.object.rate=1.5e-7', 1.5e-7],
    ['data.object.id="12345678901234567890"', '12345678901234567890'],
  ])('keeps the exact number %s', (argument, value) => {
    expect(parseSetArgument(argument).value).toBe(value);
  });

  it.each([
    ['data.object.b=12345678901234567890', '12345678901234567000'],
    ['data.object.b=-9007199254740993', '-9007199254740992'],
    ['data.object.b=1e400', 'null'],
    ['data.object.b=-1e400', 'null'],
  ])('rejects the inexact number %s', (argument, sent) => {
    const error = usageError(() => parseSetArgument(argument));
    const literal = argument.slice(argument.indexOf('=') + 1);

    expect(error.code).toBe('E_SET_NUMBER');
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain(argument);
    expect(error.message).toContain(`sent as ${sent}`);
    expect(error.hint).toContain(`'"${literal}"'`);
  });

  it.each(['data.object.meta={"a":[1,12345678901234567890]}', 'data.object.meta=[{"b":1e400}]'])(
    'rejects a nested inexact number in %s',
    (argument) => {
      const error = usageError(() => parseSetArgument(argument));

      expect(error.code).toBe('E_SET_NUMBER');
      expect(error.hint).toContain('JSON string');
    },
  );

  it.each(['__proto__.polluted=1', 'data.__proto__.polluted=1', 'data.constructor.prototype.polluted=1'])(
    'rejects the prototype path %s',
    (argument) => {
      const error = usageError(() => parseSetArgument(argument));

      expect(error.code).toBe('E_SET_PATH');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});

describe('setPath', () => {
  it('creates missing parents', () => {
    const target: Record<string, unknown> = {};

    setPath(target, ['data', 'object', 'meta', 'source'], 'ci');

    expect(target).toEqual({ data: { object: { meta: { source: 'ci' } } } });
  });

  it('sets array items by index', () => {
    const target: Record<string, unknown> = { list: [{ name: 'a' }, { name: 'b' }] };

    setPath(target, ['list', '1', 'name'], 'z');

    expect(target).toEqual({ list: [{ name: 'a' }, { name: 'z' }] });
  });

  it('rejects a path through a number', () => {
    const target = { data: { object: { amount: 2500 } } };

    const error = usageError(() => setPath(target, ['data', 'object', 'amount', 'value'], 1));

    expect(error.code).toBe('E_SET_PATH');
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain('"data.object.amount" is a number (2500)');
    expect(target.data.object.amount).toBe(2500);
  });

  it('rejects a path through null', () => {
    const error = usageError(() => setPath({ tournamentId: null }, ['tournamentId', 'name'], 'x'));

    expect(error.message).toContain('"tournamentId" is null');
  });

  it('creates parents named like Object methods', () => {
    const target: Record<string, unknown> = {};

    setPath(target, ['meta', 'toString', 'label'], 'x');

    expect(target).toEqual({ meta: { toString: { label: 'x' } } });
  });
});

describe('deepMerge', () => {
  it('merges objects key by key', () => {
    const base = { amount: 1, meta: { a: 1, b: 2 } };

    deepMerge(base, { meta: { b: 3, c: 4 }, extra: true });

    expect(base).toEqual({ amount: 1, meta: { a: 1, b: 3, c: 4 }, extra: true });
  });

  it('replaces arrays and scalars', () => {
    const base: Record<string, unknown> = { list: [1, 2, 3], status: 'active', meta: { a: 1 } };

    deepMerge(base, { list: [9], status: null, meta: 'flat' });

    expect(base).toEqual({ list: [9], status: null, meta: 'flat' });
  });

  it('ignores a __proto__ key', () => {
    const base: Record<string, unknown> = {};

    deepMerge(base, JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as Record<string, unknown>);

    expect(base).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('generateEvent', () => {
  it('is reproducible with id and created', () => {
    const options = { type: 'wager.completed', id: 'evt_fixed', created: 1_761_958_815 };

    expect(generateEvent(options).body).toBe(generateEvent(options).body);
  });

  it('uses the given id and created', () => {
    const { envelope } = generateEvent({ type: 'payment.succeeded', id: 'evt_fixed', created: 1_700_000_000 });

    expect(envelope.id).toBe('evt_fixed');
    expect(envelope.created).toBe(1_700_000_000);
    expect(envelope.data.object.processedAt).toBe(1_700_000_000);
  });

  it('merges data over the object', () => {
    const { envelope } = generateEvent({
      type: 'payment.failed',
      data: { amount: 5000, failureCode: 'insufficient_funds', meta: { source: 'test' } },
    });

    expect(envelope.data.object.amount).toBe(5000);
    expect(envelope.data.object.failureCode).toBe('insufficient_funds');
    expect(envelope.data.object.meta).toEqual({ source: 'test' });
    expect(envelope.data.object.currency).toBe('USD');
  });

  it('applies set after data', () => {
    const { envelope } = generateEvent({
      type: 'payment.failed',
      data: { amount: 5000 },
      set: [parseSetArgument('data.object.amount=7000')],
    });

    expect(envelope.data.object.amount).toBe(7000);
  });

  it('lets set replace envelope fields', () => {
    const { envelope, body } = generateEvent({ type: 'kyc.failed', set: [parseSetArgument('type=kyc.custom')] });

    expect(envelope.type).toBe('kyc.custom');
    expect(JSON.parse(body).type).toBe('kyc.custom');
  });

  it('rejects an unknown type with a suggestion', () => {
    const error = usageError(() => generateEvent({ type: 'payment.succeded' }));

    expect(error.code).toBe('E_UNKNOWN_EVENT_TYPE');
    expect(error.message).toContain('did you mean "payment.succeeded"');
  });
});
