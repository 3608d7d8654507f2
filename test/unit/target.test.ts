import { describe, expect, it } from 'vitest';

import { normalizeTarget } from '../../src/delivery/target.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { thrownBy } from '../helpers/errors.js';

describe('normalizeTarget', () => {
  it.each([
    ['localhost:3000', 'http://localhost:3000/webhooks/pllay'],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080/webhooks/pllay'],
    ['[::1]:8080', 'http://[::1]:8080/webhooks/pllay'],
    ['example.test:80', 'http://example.test/webhooks/pllay'],
    ['localhost', 'http://localhost/webhooks/pllay'],
    ['localhost:3000/hooks', 'http://localhost:3000/hooks'],
  ])('adds http:// to bare %s', (input, expected) => {
    expect(normalizeTarget(input).href).toBe(expected);
  });

  it.each([
    ['3000', 'http://localhost:3000/webhooks/pllay'],
    [':3000', 'http://localhost:3000/webhooks/pllay'],
    ['46765/x', 'http://localhost:46765/x'],
    [':46765/x', 'http://localhost:46765/x'],
    ['3000/', 'http://localhost:3000/'],
    ['3000?source=ci', 'http://localhost:3000/webhooks/pllay?source=ci'],
    ['3000#top', 'http://localhost:3000/webhooks/pllay#top'],
    ['3000/in?x=1', 'http://localhost:3000/in?x=1'],
  ])('reads bare port %s as localhost', (input, expected) => {
    expect(normalizeTarget(input).href).toBe(expected);
  });

  it.each([
    ['http://localhost:3000', 'http://localhost:3000/webhooks/pllay'],
    ['https://hooks.example.test', 'https://hooks.example.test/webhooks/pllay'],
    ['http://localhost:3000?source=ci', 'http://localhost:3000/webhooks/pllay?source=ci'],
  ])('adds the default path to %s', (input, expected) => {
    expect(normalizeTarget(input).href).toBe(expected);
  });

  it.each([
    ['http://localhost:3000/api/pllay', 'http://localhost:3000/api/pllay'],
    ['http://localhost:3000/', 'http://localhost:3000/'],
    ['http://localhost:3000/?source=ci', 'http://localhost:3000/?source=ci'],
    ['https://hooks.example.test/in?x=1#top', 'https://hooks.example.test/in?x=1#top'],
    ['HTTP://LOCALHOST:3000/Hooks', 'http://localhost:3000/Hooks'],
  ])('keeps the path of %s', (input, expected) => {
    expect(normalizeTarget(input).href).toBe(expected);
  });

  it('trims surrounding whitespace', () => {
    expect(normalizeTarget('  localhost:3000 ').href).toBe('http://localhost:3000/webhooks/pllay');
  });

  it('takes another default path', () => {
    expect(normalizeTarget('localhost:3000', '/in').href).toBe('http://localhost:3000/in');
  });

  it.each([
    ['ftp://localhost:21', 'ftp:'],
    ['ws://localhost:3000', 'ws:'],
    ['file:///etc/passwd', 'file:'],
  ])('rejects the scheme of %s', (input, scheme) => {
    const error = catchUsageError(() => normalizeTarget(input));

    expect(error.code).toBe('E_INVALID_TARGET');
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain(scheme);
    expect(error.hint).toContain('localhost:3000');
  });

  it.each(['', 'localhost:notaport', 'localhost:99999', 'http://', 'http://exa mple.test', '99999/x'])(
    'rejects %j',
    (input) => {
      const error = catchUsageError(() => normalizeTarget(input));

      expect(error.code).toBe('E_INVALID_TARGET');
      expect(error.message).toContain(`"${input}"`);
    },
  );

  it.each(['0', ':0', '0/x', 'localhost:0', '127.0.0.1:0/hooks', 'http://localhost:0', 'http://[::1]:0/x'])(
    'rejects port 0 in %j',
    (input) => {
      const error = catchUsageError(() => normalizeTarget(input));

      expect(error.code).toBe('E_INVALID_TARGET');
      expect(error.exitCode).toBe(ExitCode.usage);
      expect(error.message).toContain('port 0');
    },
  );

  it.each(['1', '65535', ':8080/in'])('keeps the host of bare port %j local', (input) => {
    expect(normalizeTarget(input).hostname).toBe('localhost');
  });
});

function catchUsageError(run: () => unknown): UsageError {
  return thrownBy(run, UsageError);
}
