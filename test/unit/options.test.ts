import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';

import { parseEventId, parseUnixSeconds } from '../../src/commands/generate.js';
import {
  integerAtLeast,
  integerInRange,
  MAX_DURATION_MS,
  parseByteSize,
  parseDuration,
  parsePort,
  parsePositiveDuration,
} from '../../src/commands/options.js';
import { thrownBy } from '../helpers/errors.js';

function invalidArgument(run: () => unknown): InvalidArgumentError {
  return thrownBy(run, InvalidArgumentError);
}

describe('integerAtLeast', () => {
  it.each([
    ['1', 1],
    ['16', 16],
    ['007', 7],
  ])('parses %s', (value, expected) => {
    expect(integerAtLeast(1)(value)).toBe(expected);
  });

  it.each(['0', '0x10', '1e3', '1.5', '', ' 5', '-1', '99999999999999999999'])('rejects %j', (value) => {
    const error = invalidArgument(() => integerAtLeast(1)(value));

    expect(error.message).toContain(`"${value}"`);
    expect(error.message).toContain('at least 1');
  });
});

describe('integerInRange', () => {
  it.each(['1', '5', '100'])('accepts %s', (value) => {
    expect(integerInRange(1, 100)(value)).toBe(Number(value));
  });

  it.each(['0', '101', '1000000', '0x10', 'five'])('rejects %j', (value) => {
    const error = invalidArgument(() => integerInRange(1, 100)(value));

    expect(error.message).toContain('from 1 to 100');
    expect(error.message).toContain(`"${value}"`);
  });
});

describe('duration parsers', () => {
  it.each([
    ['0', 0],
    ['250ms', 250],
    ['2', 2000],
    ['596h', 596 * 3_600_000],
    [`${MAX_DURATION_MS}ms`, MAX_DURATION_MS],
  ])('parseDuration reads %s', (value, expected) => {
    expect(parseDuration(value)).toBe(expected);
  });

  it.each(['597h', `${MAX_DURATION_MS + 1}ms`, '1000h'])('parseDuration rejects timer overflow %s', (value) => {
    const error = invalidArgument(() => parseDuration(value));

    expect(error.message).toContain('at most 596h');
    expect(error.message).toContain(`"${value}"`);
  });

  it.each(['0', '0ms', '0s', '0.4ms'])('parsePositiveDuration rejects %s', (value) => {
    const error = invalidArgument(() => parsePositiveDuration(value));

    expect(error.message).toContain('at least 1ms');
    expect(error.message).toContain(`"${value}"`);
  });

  it.each([
    ['1ms', 1],
    ['10s', 10_000],
  ])('parsePositiveDuration reads %s', (value, expected) => {
    expect(parsePositiveDuration(value)).toBe(expected);
  });
});

describe('parseByteSize', () => {
  it.each([
    ['1', 1],
    ['512kb', 524_288],
    ['2mb', 2_097_152],
  ])('reads %s', (value, expected) => {
    expect(parseByteSize(value)).toBe(expected);
  });

  it.each(['0', '0kb', '-1', '99999999999999999999mb'])('rejects %s', (value) => {
    const error = invalidArgument(() => parseByteSize(value));

    expect(error.message).toContain('at least 1 byte');
  });
});

describe('parsePort', () => {
  it.each(['0', '80', '65535'])('accepts %s', (value) => {
    expect(parsePort(value)).toBe(Number(value));
  });

  it.each(['', '65536', '0x50', '1e3', '-1'])('rejects %j', (value) => {
    const error = invalidArgument(() => parsePort(value));

    expect(error.message).toContain(`"${value}"`);
  });
});

describe('parseUnixSeconds', () => {
  it.each(['946684800', '1761958815', '4102444800'])('accepts %s', (value) => {
    expect(parseUnixSeconds(value)).toBe(Number(value));
  });

  it.each(['5', '0', '946684799', '4102444801', '99999999999999999', '0x10', '1e9', '1761958815.5', '-1', ''])(
    'rejects %j',
    (value) => {
      const error = invalidArgument(() => parseUnixSeconds(value));

      expect(error.message).toContain(`"${value}"`);
      expect(error.message).toContain('946684800 (2000-01-01)');
      expect(error.message).not.toContain('milliseconds');
    },
  );

  it('names milliseconds as such', () => {
    const error = invalidArgument(() => parseUnixSeconds('1761958815000'));

    expect(error.message).toContain('looks like milliseconds');
    expect(error.message).toContain('pass 1761958815');
  });
});

describe('parseEventId', () => {
  it('keeps an id as given', () => {
    expect(parseEventId('evt_test_1')).toBe('evt_test_1');
  });

  it.each(['', ' ', '\t'])('rejects the blank id %j', (value) => {
    const error = invalidArgument(() => parseEventId(value));

    expect(error.message).toContain('evt_test_1');
  });
});
