import { describe, expect, it } from 'vitest';

import { generateEvent } from '../../src/events/generate.js';
import { sign } from '../../src/signature/index.js';
import { diagnoseSignature, type Diagnosis } from '../../src/verify/index.js';
import { minifyJson, orderLikePllay } from '../../src/verify/variants.js';

const SECRET = 'whsec_test_diagnose';
const event = generateEvent({ type: 'payment.succeeded', id: 'evt_test_1', created: 1761958815 });
const BODY = event.body;
const SIGNATURE = sign(BODY, SECRET);

function codes(diagnosis: Diagnosis): string[] {
  return diagnosis.findings.map((finding) => finding.code);
}

describe('diagnoseSignature', () => {
  it('accepts the exact signature', () => {
    const diagnosis = diagnoseSignature({ body: BODY, signature: SIGNATURE, secrets: SECRET });

    expect(diagnosis.valid).toBe(true);
    expect(diagnosis.findings).toEqual([]);
    expect(diagnosis.secretIndex).toBe(0);
  });

  it('finds nothing for a wrong secret', () => {
    const diagnosis = diagnoseSignature({ body: BODY, signature: SIGNATURE, secrets: 'whsec_other' });

    expect(diagnosis.valid).toBe(false);
    expect(diagnosis.explained).toBe(false);
    expect(diagnosis.expected).toBe(sign(BODY, 'whsec_other'));
    expect(diagnosis.reason).toBe('the signature does not match the body under the secret, and no usual cause explains it');
  });

  it('names the later secret that matched', () => {
    const diagnosis = diagnoseSignature({ body: BODY, signature: SIGNATURE, secrets: ['whsec_new', SECRET] });

    expect(diagnosis.valid).toBe(true);
    expect(diagnosis.secretIndex).toBe(1);
    expect(codes(diagnosis)).toEqual(['secret-not-first']);
    expect(diagnosis.findings[0]!.explanation).toContain('secret 2 of 2');
  });

  const cases: Array<{ name: string; body?: string; signature?: string; secret?: string; expected: string[] }> = [
    { name: 'pretty-printed body', body: JSON.stringify(JSON.parse(BODY), null, 2), expected: ['body-whitespace'] },
    { name: 'body with spaces after separators', body: BODY.replaceAll('":', '": ').replaceAll(',"', ', "'), expected: ['body-whitespace'] },
    { name: 'body with sorted keys', body: JSON.stringify(sortKeys(JSON.parse(BODY))), expected: ['body-key-order'] },
    { name: 'body with a trailing newline', body: `${BODY}\n`, expected: ['body-trailing-newline'] },
    { name: 'secret with a trailing newline', secret: `${SECRET}\n`, expected: ['secret-whitespace'] },
    { name: 'signature with sha256= prefix', signature: `sha256=${SIGNATURE}`, expected: ['signature-prefix'] },
    { name: 'signature in upper case', signature: SIGNATURE.toUpperCase(), expected: ['signature-case'] },
    { name: 'truncated signature', signature: SIGNATURE.slice(0, 40), expected: ['signature-truncated'] },
    { name: 'signature with whitespace', signature: ` ${SIGNATURE}\n`, expected: ['signature-whitespace'] },
  ];

  for (const { name, body, signature, secret, expected } of cases) {
    it(`explains a ${name}`, () => {
      const diagnosis = diagnoseSignature({ body: body ?? BODY, signature: signature ?? SIGNATURE, secrets: secret ?? SECRET });

      expect(diagnosis.valid).toBe(false);
      expect(diagnosis.explained).toBe(true);
      expect(codes(diagnosis)).toEqual(expected);
      expect(diagnosis.findings.every((finding) => finding.fix.length > 0)).toBe(true);
    });
  }

  it('explains a body with a missing newline', () => {
    const signedWithNewline = sign(`${BODY}\n`, SECRET);

    expect(codes(diagnoseSignature({ body: BODY, signature: signedWithNewline, secrets: SECRET }))).toEqual(['body-missing-newline']);
  });

  it('explains a sender secret with a newline', () => {
    const signedWithNewline = sign(BODY, `${SECRET}\n`);

    expect(codes(diagnoseSignature({ body: BODY, signature: signedWithNewline, secrets: SECRET }))).toEqual(['secret-missing-newline']);
  });

  it('explains a non-ASCII escape', () => {
    const signed = '{"id":"evt_1","type":"kyc.started","created":1,"data":{"object":{"name":"Zoë"}}}';
    const received = signed.replace('ë', '\\u00eb');
    const diagnosis = diagnoseSignature({ body: received, signature: sign(signed, SECRET), secrets: SECRET });

    expect(codes(diagnosis)).toEqual(['body-escaping']);
    expect(diagnosis.findings[0]!.explanation).toContain('escaped differently');
  });

  it('explains escaped slashes', () => {
    const signed = '{"id":"evt_1","type":"kyc.started","created":1,"data":{"object":{"url":"https://pllay.example/kyc"}}}';
    const received = signed.replaceAll('/', '\\/');
    const diagnosis = diagnoseSignature({ body: received, signature: sign(signed, SECRET), secrets: SECRET });

    expect(codes(diagnosis)).toEqual(['body-escaping']);
  });

  it('explains several changes at once', () => {
    const diagnosis = diagnoseSignature({
      body: `${JSON.stringify(JSON.parse(BODY), null, 2)}\n`,
      signature: `sha256=${SIGNATURE.toUpperCase()}`,
      secrets: ['whsec_new', ` ${SECRET}`],
    });

    expect(codes(diagnosis).sort()).toEqual(['body-whitespace', 'secret-not-first', 'secret-whitespace', 'signature-case', 'signature-prefix']);
    expect(diagnosis.secretIndex).toBe(1);
  });

  it('expects the configured prefix', () => {
    const prefixed = diagnoseSignature({ body: BODY, signature: `sha256=${SIGNATURE}`, secrets: SECRET, prefix: 'sha256=' });
    const bare = diagnoseSignature({ body: BODY, signature: SIGNATURE, secrets: SECRET, prefix: 'sha256=' });

    expect(prefixed.valid).toBe(true);
    expect(bare.valid).toBe(false);
    expect(codes(bare)).toEqual(['signature-missing-prefix']);
  });

  it('reports a prefix in upper case', () => {
    const diagnosis = diagnoseSignature({ body: BODY, signature: `SHA256=${SIGNATURE}`, secrets: SECRET, prefix: 'sha256=' });

    expect(diagnosis.valid).toBe(false);
    expect(diagnosis.explained).toBe(true);
    expect(codes(diagnosis)).toEqual(['signature-prefix-case']);
    expect(diagnosis.findings[0]!.explanation).toContain('"sha256=" prefix in another letter case');
  });

  it('reports a value that is not hex', () => {
    const diagnosis = diagnoseSignature({ body: BODY, signature: 'not-a-signature', secrets: SECRET });

    expect(diagnosis.valid).toBe(false);
    expect(diagnosis.reason).toBe('the signature is not hexadecimal, and no usual cause explains it');
  });

  it('reports no secret', () => {
    expect(diagnoseSignature({ body: BODY, signature: SIGNATURE, secrets: [] }).reason).toBe('no secret to check against');
  });
});

describe('body helpers', () => {
  it('minifies outside strings only', () => {
    expect(minifyJson('{ "a b" : [ 1, "x\\" y" ] }\n')).toBe('{"a b":[1,"x\\" y"]}');
  });

  it('orders keys like the envelope', () => {
    const sorted = sortKeys(JSON.parse(BODY));

    expect(JSON.stringify(orderLikePllay(sorted))).toBe(BODY);
  });
});

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
