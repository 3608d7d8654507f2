import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_generate';
const folders: Array<{ remove(): void }> = [];

afterEach(() => {
  folders.splice(0).forEach((folder) => folder.remove());
});

interface GeneratedJson {
  headers: Record<string, string>;
  body: string;
}

async function generateJson(args: string[]): Promise<GeneratedJson> {
  const result = await runCli(['generate', ...args, '--secret', SECRET, '--json']);

  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as GeneratedJson;
}

function object(generated: GeneratedJson): Record<string, unknown> {
  return (JSON.parse(generated.body) as { data: { object: Record<string, unknown> } }).data.object;
}

describe('generate', () => {
  it('prints headers and a signed body', async () => {
    const result = await runCli(['generate', 'payment.succeeded', '--secret', SECRET]);
    const [headerText, body] = result.stdout.split('\n\n');
    const signature = /^pllay-signature: ([0-9a-f]{64})$/m.exec(headerText!)?.[1];

    expect(result.code).toBe(0);
    expect(headerText).toContain('content-type: application/json');
    expect(signature).toBe(createHmac('sha256', SECRET).update(body!.replace(/\n$/, '')).digest('hex'));
  });

  it('prints JSON with a verifiable signature', async () => {
    const generated = await generateJson(['kyc.completed']);

    expect(JSON.parse(generated.body).type).toBe('kyc.completed');
    expect(generated.headers['pllay-signature']).toBe(
      createHmac('sha256', SECRET).update(generated.body).digest('hex'),
    );
  });

  it('is reproducible with --id and --created', async () => {
    const args = ['generate', 'wager.completed', '--id', 'evt_fixed_1', '--created', '1761958815', '--secret', SECRET];

    const first = await runCli(args);
    const second = await runCli(args);

    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    expect(first.stdout).toContain('"id":"evt_fixed_1"');
    expect(first.stdout).toContain('"created":1761958815');
  });

  it('parses --set values as JSON', async () => {
    const generated = await generateJson([
      'payment.failed',
      '--set', 'data.object.amount=5000',
      '--set', 'data.object.retryable=true',
      '--set', 'data.object.meta={"attempt":2}',
      '--set', 'data.object.failureCode=card_declined',
      '--set', 'data.object.reference="12345"',
    ]);

    expect(object(generated)).toMatchObject({
      amount: 5000,
      retryable: true,
      meta: { attempt: 2 },
      failureCode: 'card_declined',
      reference: '12345',
    });
  });

  it('merges a --data file', async () => {
    const folder = tempDir();
    folders.push(folder);
    const data = join(folder.path, 'winner.json');
    writeFileSync(data, JSON.stringify({ actualWin: 0, status: 'lost', gameData: { map: 'harbor' } }));

    const generated = await generateJson(['wager.completed', '--data', data]);

    expect(object(generated)).toMatchObject({
      actualWin: 0,
      status: 'lost',
      gameData: { mode: '1v1', map: 'harbor', durationSec: 412 },
    });
  });

  it('rejects a --set path through a number', async () => {
    const result = await runCli(['generate', 'payment.failed', '--secret', SECRET, '--set', 'data.object.amount.value=1']);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"data.object.amount" is a number');
  });

  it('rejects a __proto__ path', async () => {
    const result = await runCli(['generate', 'payment.failed', '--secret', SECRET, '--set', '__proto__.polluted=1']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('__proto__');
  });

  it('rejects --set without a value', async () => {
    const result = await runCli(['generate', 'payment.failed', '--secret', SECRET, '--set', 'data.object.amount']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected path=value');
  });

  it('rejects a --data file that is not an object', async () => {
    const folder = tempDir();
    folders.push(folder);
    const data = join(folder.path, 'list.json');
    writeFileSync(data, '[1,2]');

    const result = await runCli(['generate', 'payment.failed', '--secret', SECRET, '--data', data]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(data);
  });

  it.each([
    [['--set', 'data.object.b=12345678901234567890'], 'would be sent as 12345678901234567000'],
    [['--set', 'data.object.b=1e400'], 'would be sent as null'],
    [['--created', '1761958815000'], 'looks like milliseconds, so pass 1761958815'],
    [['--created', '5'], 'expected whole unix seconds'],
    [['--id', ''], "option '--id <id>' argument '' is invalid"],
  ])('rejects %j', async (flags, expected) => {
    const result = await runCli(['generate', 'payment.failed', '--secret', SECRET, ...flags]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(expected);
  });

  it('rejects an unknown type', async () => {
    const result = await runCli(['generate', 'wager.complete', '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did you mean "wager.completed"');
  });

  it('requires a secret', async () => {
    const result = await runCli(['generate', 'wager.completed']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PLLAY_WEBHOOK_SECRET');
  });

  it('takes the secret from the environment', async () => {
    const result = await runCli(['generate', 'kyc.started', '--json'], { env: { PLLAY_WEBHOOK_SECRET: SECRET } });
    const generated = JSON.parse(result.stdout) as GeneratedJson;

    expect(result.code).toBe(0);
    expect(generated.headers['pllay-signature']).toBe(
      createHmac('sha256', SECRET).update(generated.body).digest('hex'),
    );
  });
});
