import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tempDir } from '../helpers/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const folder = tempDir();

// A user's project with pllay-hooks installed: node_modules/pllay-hooks points at this package.
beforeAll(() => {
  mkdirSync(join(folder.path, 'node_modules'));
  symlinkSync(ROOT, join(folder.path, 'node_modules', 'pllay-hooks'), 'dir');
  writeFileSync(join(folder.path, 'package.json'), JSON.stringify({ name: 'user-app', type: 'module', private: true }));
});

afterAll(() => folder.remove());

const USER_TEST = `
import { createDelivery, createEvent, diagnoseSignature, EVENT_TYPE_NAMES, fingerprint, sign, verify } from 'pllay-hooks';

const secret = 'whsec_test_api';
const event = createEvent('payment.failed', { id: 'evt_api_1', data: { amount: 5000 }, set: { 'data.object.currency': 'EUR' } });
const delivery = createDelivery('kyc.started', { secret, signatureHeader: 'X-PLLAY-Signature', signaturePrefix: 'sha256=' });
const pretty = JSON.stringify(JSON.parse(event.body), null, 2);

console.log(JSON.stringify({
  types: EVENT_TYPE_NAMES.length,
  id: event.envelope.id,
  amount: event.envelope.data.object.amount,
  currency: JSON.parse(event.body).data.object.currency,
  header: delivery.headers['x-pllay-signature'],
  expectedHeader: 'sha256=' + sign(delivery.body, secret),
  verdict: verify(event.body, sign(event.body, secret), secret).verdict,
  rotated: verify(event.body, sign(event.body, secret), ['whsec_new', secret]).secretIndex,
  diagnosis: diagnoseSignature({ body: pretty, signature: sign(event.body, secret), secrets: secret }).findings.map((f) => f.code),
  fingerprint: fingerprint(secret),
}));
`;

const USER_TYPES = `
import { createEvent, defineConfig, verify, type EventType, type VerifyResult } from 'pllay-hooks';

const type: EventType = 'wager.created';
const result: VerifyResult = verify(createEvent(type).body, 'abc', 'whsec_x');
export const config = defineConfig({ target: 'localhost:3000', listen: { port: 7575 } });
export const verdict: 'valid' | 'invalid' | 'missing' | 'unchecked' = result.verdict;

// @ts-expect-error an unknown type is a compile error
createEvent('payment.succeded');
// @ts-expect-error an unknown config key is a compile error
defineConfig({ taget: 'localhost:3000' });
`;

describe('package API', () => {
  it('imports by package name', () => {
    writeFileSync(join(folder.path, 'user.test.mjs'), USER_TEST);

    const output = execFileSync(process.execPath, ['user.test.mjs'], { cwd: folder.path, encoding: 'utf8' });
    const result = JSON.parse(output);

    expect(result.types).toBe(13);
    expect(result.id).toBe('evt_api_1');
    expect(result.amount).toBe(5000);
    expect(result.currency).toBe('EUR');
    expect(result.header).toBe(result.expectedHeader);
    expect(result.verdict).toBe('valid');
    expect(result.rotated).toBe(1);
    expect(result.diagnosis).toEqual(['body-whitespace']);
    expect(result.fingerprint).toMatch(/^[0-9a-f]{8}$/);
  });

  it('type-checks a user file', () => {
    writeFileSync(join(folder.path, 'user.ts'), USER_TYPES);
    const tsconfig = {
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: [] },
      files: ['user.ts'],
    };
    writeFileSync(join(folder.path, 'tsconfig.json'), JSON.stringify(tsconfig));

    const run = (): string => execFileSync(process.execPath, [TSC, '-p', folder.path], { encoding: 'utf8' });

    expect(run).not.toThrow();
  });
});
