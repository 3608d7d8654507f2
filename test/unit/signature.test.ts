import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { sign, verify } from '../../src/signature/index.js';

/** The payment example of PLLAY's webhook guide, byte for byte as the guide prints it. */
const GUIDE_EXAMPLE = `{
  "id": "evt_123",
  "type": "payment.succeeded",
  "created": 1631825456,
  "data": {
    "object": {
      "id": "pay_123",
      "amount": 1000,
      "currency": "USD",
      "status": "succeeded"
    }
  }
}`;

const GUIDE_SECRET = 'whsec_test_guide';

/** Computes the HMAC with the openssl command line, independently of Node. */
function opensslHmac(body: Uint8Array | string, secret: string): string {
  const output = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret], { input: body }).toString();
  const digest = /([0-9a-f]{64})\s*$/.exec(output);
  if (!digest) {
    throw new Error(`unexpected openssl output: ${output}`);
  }
  return digest[1]!;
}

function nodeHmac(body: Uint8Array | string, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');
}

/** The verification function of PLLAY's guide, as a receiver following it would run it. */
function guideVerify(payload: string, signature: string, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(payload).digest('hex');
  return timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

const VECTORS: Array<{ name: string; body: Uint8Array | string; secret: string }> = [
  { name: 'guide example', body: GUIDE_EXAMPLE, secret: GUIDE_SECRET },
  { name: 'empty body', body: '', secret: GUIDE_SECRET },
  { name: 'multibyte body and secret', body: 'Zoë 🎮', secret: 'sécret-🔑' },
  { name: 'bytes that are not UTF-8', body: Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b]), secret: 'whsec_bin' },
  { name: 'trailing newline', body: '{"id":"evt_1"}\n', secret: 'whsec_nl' },
];

describe('sign', () => {
  it.each(VECTORS)('matches openssl for $name', ({ body, secret }) => {
    expect(sign(body, secret)).toBe(opensslHmac(body, secret));
  });

  it.each(VECTORS)('matches node crypto for $name', ({ body, secret }) => {
    expect(sign(body, secret)).toBe(nodeHmac(body, secret));
  });

  it('signs the guide example', () => {
    // Computed with: openssl dgst -sha256 -hmac whsec_test_guide
    expect(sign(GUIDE_EXAMPLE, GUIDE_SECRET)).toBe(
      'ab53af9a2e91e10e2823d24287e7ce6a5e4f220305d1502b57b29690f92ae981',
    );
  });

  it('signs the compact guide example', () => {
    const compact = JSON.stringify(JSON.parse(GUIDE_EXAMPLE));

    // Computed with: openssl dgst -sha256 -hmac whsec_test_guide
    expect(sign(compact, GUIDE_SECRET)).toBe(
      '7716eeb2aac93f95d02811d66b7f9c74771e74e711a7a732208e4b26d4865af3',
    );
  });

  it('passes the guide verifier', () => {
    expect(guideVerify(GUIDE_EXAMPLE, sign(GUIDE_EXAMPLE, GUIDE_SECRET), GUIDE_SECRET)).toBe(true);
  });

  it('returns lowercase hex of 64 characters', () => {
    expect(sign(GUIDE_EXAMPLE, GUIDE_SECRET)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs a string as its UTF-8 bytes', () => {
    const text = 'Friday Night Bracket 🏆 zoë_kitsune';

    expect(sign(text, 'k')).toBe(sign(Buffer.from(text, 'utf8'), 'k'));
  });

  it('keys with the secret as UTF-8', () => {
    expect(sign('body', 'sécret')).toBe(nodeHmac('body', 'sécret'));
    expect(sign('body', 'sécret')).not.toBe(
      createHmac('sha256', Buffer.from('sécret', 'latin1')).update('body').digest('hex'),
    );
  });
});

describe('verify', () => {
  const body = Buffer.from(GUIDE_EXAMPLE);
  const good = opensslHmac(body, GUIDE_SECRET);

  it('accepts the right signature', () => {
    const result = verify(body, good, [GUIDE_SECRET]);

    expect(result.verdict).toBe('valid');
    expect(result.form).toBe('hex');
    expect(result.secretIndex).toBe(0);
  });

  it('accepts a string body', () => {
    expect(verify(GUIDE_EXAMPLE, good, [GUIDE_SECRET]).verdict).toBe('valid');
  });

  it('reports a missing signature', () => {
    const result = verify(body, undefined, [GUIDE_SECRET]);

    expect(result.verdict).toBe('missing');
    expect(result.reason).toMatch(/no signature header/);
  });

  it('rejects an empty signature', () => {
    const result = verify(body, '', [GUIDE_SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toMatch(/empty/);
  });

  it('rejects a blank signature', () => {
    expect(verify(body, '   ', [GUIDE_SECRET]).verdict).toBe('invalid');
  });

  it('rejects an odd-length signature', () => {
    const result = verify(body, good.slice(0, 63), [GUIDE_SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toBe('signature is 63 characters long; expected 64');
  });

  it('rejects 65 characters', () => {
    const result = verify(body, `${good}0`, [GUIDE_SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toBe('signature is 65 characters long; expected 64');
  });

  it('rejects a short even-length signature', () => {
    const result = verify(body, good.slice(0, 62), [GUIDE_SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toMatch(/62 characters/);
  });

  it('rejects non-hex characters', () => {
    const result = verify(body, `${good.slice(0, 63)}g`, [GUIDE_SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toMatch(/not hexadecimal/);
  });

  it('rejects non-ASCII characters', () => {
    expect(verify(body, `${good.slice(0, 63)}é`, [GUIDE_SECRET]).verdict).toBe('invalid');
  });

  it('rejects upper-case hex', () => {
    const result = verify(body, good.toUpperCase(), [GUIDE_SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toMatch(/upper-case/);
  });

  it('rejects mixed-case hex', () => {
    const mixed = `${good.slice(0, 10).toUpperCase()}${good.slice(10)}`;

    expect(mixed).not.toBe(good);
    expect(verify(body, mixed, [GUIDE_SECRET]).verdict).toBe('invalid');
  });

  it('accepts the sha256= prefixed form', () => {
    const result = verify(body, `sha256=${good}`, [GUIDE_SECRET]);

    expect(result.verdict).toBe('valid');
    expect(result.form).toBe('sha256-prefixed');
  });

  it('rejects a prefix with no digest', () => {
    const result = verify(body, 'sha256=', [GUIDE_SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toMatch(/empty/);
  });

  it('rejects a wrong prefixed digest', () => {
    const result = verify(body, `sha256=${nodeHmac(body, 'other')}`, [GUIDE_SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.form).toBe('sha256-prefixed');
  });

  it('rejects a signature of another body', () => {
    const other = opensslHmac(`${GUIDE_EXAMPLE} `, GUIDE_SECRET);
    const result = verify(body, other, [GUIDE_SECRET]);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toBe('signature does not match the body under the secret');
  });

  it('rejects a tampered body', () => {
    const tampered = Buffer.from(GUIDE_EXAMPLE.replace('1000', '9000'));

    expect(verify(tampered, good, [GUIDE_SECRET]).verdict).toBe('invalid');
  });

  it('rejects a wrong secret', () => {
    expect(verify(body, good, ['whsec_other']).verdict).toBe('invalid');
  });

  it('finds the matching one of several secrets', () => {
    const result = verify(body, good, ['whsec_old', GUIDE_SECRET, 'whsec_next']);

    expect(result.verdict).toBe('valid');
    expect(result.secretIndex).toBe(1);
  });

  it('names the count of several secrets', () => {
    const result = verify(body, nodeHmac(body, 'whsec_none'), ['whsec_a', 'whsec_b']);

    expect(result.verdict).toBe('invalid');
    expect(result.reason).toBe('signature does not match the body under any of 2 secrets');
  });

  it('is unchecked without secrets', () => {
    const result = verify(body, good, []);

    expect(result.verdict).toBe('unchecked');
  });

  it('is unchecked without secrets or signature', () => {
    const result = verify(body, undefined, []);

    expect(result.verdict).toBe('unchecked');
    expect(result.reason).toMatch(/no signature header/);
  });

  it('never throws on odd input', () => {
    const inputs = ['', '=', 'sha256', 'sha256=zz', '\u0000'.repeat(64), 'a'.repeat(10_000), '💥'.repeat(32)];

    for (const input of inputs) {
      expect(() => verify(body, input, [GUIDE_SECRET])).not.toThrow();
      expect(verify(body, input, [GUIDE_SECRET]).verdict).toBe('invalid');
    }
  });
});
