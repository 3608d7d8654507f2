import { describe, expect, it } from 'vitest';

import { validateConfig } from '../../src/config/validate.js';
import { ConfigError } from '../../src/errors.js';

const FILE = '/project/.pllay-hooksrc.json';

function problems(contents: unknown): string {
  try {
    validateConfig(contents, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('the config was accepted');
}

describe('validateConfig', () => {
  it('accepts every documented key', () => {
    const config = validateConfig(
      {
        target: 'localhost:3000',
        path: '/api/pllay',
        secret: ['whsec_new', 'whsec_old'],
        secretEnv: 'MY_SECRET',
        signature: { header: 'X-PLLAY-Signature', prefix: 'sha256=' },
        headers: { 'x-request-source': 'ci' },
        timeout: '10s',
        listen: { host: '0.0.0.0', port: 8080, log: 'logs/capture.ndjson', forwardTo: 'localhost:3000', maxBody: '2mb' },
        replay: { maxAttempts: 3, initialDelay: 250, maxDelay: '1m' },
        events: { 'payment.succeeded': { data: { amount: 5000 }, set: { 'data.object.currency': 'EUR' } } },
        profiles: { ci: { target: 'http://app:3000' } },
      },
      FILE,
    );

    expect(config.timeout).toBe(10_000);
    expect(config.listen?.maxBody).toBe(2 * 1024 * 1024);
    expect(config.replay?.maxDelay).toBe(60_000);
  });

  it('rejects durations a timer cannot wait', () => {
    expect(problems({ timeout: '597h' })).toContain('timeout is "597h": expected a duration of at most 596h');
    expect(validateConfig({ timeout: '596h' }, FILE).timeout).toBe(596 * 3_600_000);
  });

  it('takes a bare port as a number', () => {
    const config = validateConfig({ target: 3000, listen: { forwardTo: 4000 } }, FILE);

    expect(config.target).toBe('3000');
    expect(config.listen?.forwardTo).toBe('4000');
    expect(problems({ target: 70000 })).toContain('target is 70000: expected a port from 1 to 65535, a URL');
  });

  it('names file, key, value and allowed range', () => {
    const message = problems({ listen: { port: 70000 } });

    expect(message).toContain(`invalid config in ${FILE}:`);
    expect(message).toContain('listen.port is 70000: expected a port from 0 to 65535');
  });

  it('suggests the nearest key for a typo', () => {
    expect(problems({ listen: { prot: 3000 } })).toContain(
      'listen: unknown key "prot" (did you mean "port"?); expected one of: host, port, log, forwardTo, maxBody, headersTimeout, requestTimeout, ui, uiPort',
    );
  });

  it('suggests the nearest event type', () => {
    expect(problems({ events: { 'payment.succeded': {} } })).toContain(
      'events["payment.succeded"]: unknown event type (did you mean "payment.succeeded"?)',
    );
  });

  it('lists every problem at once', () => {
    const message = problems({ target: 'ftp://x', timeout: '10', profiles: { ci: { listen: { port: 'abc' } } } });

    expect(message).toContain('target is "ftp://x": expected a URL such as http://localhost:3000/webhooks/pllay');
    expect(message).toContain('timeout is "10": expected a duration of at least 1 ms');
    expect(message).toContain('profiles.ci.listen.port is "abc": expected a port from 0 to 65535');
  });

  it('hides the value of an invalid secret', () => {
    const message = problems({ secret: ['whsec_fine', ''] , secretEnv: 'not a name' });

    expect(message).toContain('secret');
    expect(message).toContain('secretEnv is "not a name": expected an environment variable name');
    expect(message).not.toContain('whsec_fine');
  });

  it('rejects reserved and unsafe override keys', () => {
    const message = problems({ headers: { host: 'evil' }, events: { 'kyc.started': { set: { '__proto__.x': 1 } } } });

    expect(message).toContain('expected a header that pllay-hooks does not set itself');
    expect(message).toContain('events["kyc.started"].set["__proto__.x"]: expected a dotted path');
  });

  it('accepts an empty object', () => {
    expect(validateConfig({}, FILE)).toEqual({});
  });

  it('rejects null contents', () => {
    expect(problems(null)).toContain('(top level) is null: expected an object');
  });

  it('lists header names with values', () => {
    const message = problems({ headers: { 'content-length': '5', 'bad name': 'x', 'x-ok': 5 } });

    expect(message).toContain('headers.content-length: invalid key: expected a header that pllay-hooks does not set itself');
    expect(message).toContain('headers["bad name"]: invalid key: expected a header name');
    expect(message).toContain('headers.x-ok is 5: expected the header value as a string');
  });
});
