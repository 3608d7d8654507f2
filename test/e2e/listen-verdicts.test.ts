import { createHmac } from 'node:crypto';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { sendRaw } from '../helpers/http.js';
import { startListen, type RunningListen } from '../helpers/listen.js';
import { readNdjson } from '../helpers/temp.js';

const SECRET = 'whsec_test_listen';
const BODY = '{"id":"evt_listen_1","type":"payment.succeeded","created":1761958815,"data":{"object":{"id":"pay_1","amount":1000,"currency":"USD","status":"succeeded"}}}';
const running: RunningListen[] = [];

afterEach(async () => {
  const stopping = running.splice(0);
  await Promise.all(stopping.map((listen) => listen.cli.stop()));
  stopping.forEach((listen) => listen.remove());
});

async function listen(args: string[] = ['--secret', SECRET], env?: Record<string, string>): Promise<RunningListen> {
  const started = await startListen(args, env ? { env } : {});
  running.push(started);
  return started;
}

function hmac(body: Buffer | string, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function isRunning(server: RunningListen): boolean {
  return server.cli.child.exitCode === null && server.cli.child.signalCode === null;
}

describe('listen verdicts', () => {
  it('accepts a valid signature', async () => {
    const server = await listen();

    const response = await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': hmac(BODY) } });
    const [record] = readNdjson(server.log);

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true });
    expect(record).toMatchObject({
      kind: 'capture',
      event_id: 'evt_listen_1',
      type: 'payment.succeeded',
      signature: 'valid',
      signature_header: 'pllay-signature',
      signature_form: 'hex',
      method: 'POST',
      path: '/webhooks/pllay',
      size: Buffer.byteLength(BODY),
      body: BODY,
    });
    expect(Number.isNaN(Date.parse(record!.received_at as string))).toBe(false);
    await server.cli.waitForLine(/payment\.succeeded\s+evt_listen_1\s+✔ valid/);
  });

  it('reports a tampered body', async () => {
    const server = await listen();
    const tampered = BODY.replace('"amount":1000', '"amount":9000');

    const response = await sendRaw(server.url, { body: tampered, headers: { 'pllay-signature': hmac(BODY) } });
    const [record] = readNdjson(server.log);

    expect(response.status).toBe(200);
    expect(record!.signature).toBe('invalid');
    expect(record!.signature_reason).toBe('signature does not match the body under the secret');
    expect(record!.body).toBe(tampered);
    await server.cli.waitForLine(/evt_listen_1\s+✖ invalid \(signature does not match/);
  });

  it.each([63, 65])('reports a %i-character signature', async (length) => {
    const server = await listen();
    const signature = hmac(BODY).padEnd(65, '0').slice(0, length);

    await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': signature } });
    const [record] = readNdjson(server.log);

    expect(record!.signature).toBe('invalid');
    expect(record!.signature_reason).toBe(`signature is ${length} characters long; expected 64`);
    await server.cli.waitForLine(new RegExp(`✖ invalid \\(signature is ${length} characters`));
  });

  it('reports a missing header', async () => {
    const server = await listen();

    const response = await sendRaw(server.url, { body: BODY });
    const [record] = readNdjson(server.log);

    expect(response.status).toBe(200);
    expect(record!.signature).toBe('missing');
    expect(record!.signature_reason).toBe('no signature header');
    expect(record).not.toHaveProperty('signature_header');
    await server.cli.waitForLine(/✖ missing \(no signature header\)/);
  });

  it('logs every verdict and stays up', async () => {
    const server = await listen();
    const tampered = `${BODY} `;

    await sendRaw(server.url, { body: tampered, headers: { 'pllay-signature': hmac(BODY) } });
    await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': hmac(BODY).slice(1) } });
    await sendRaw(server.url, { body: BODY });
    await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': 'not-hex' } });
    const last = await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': hmac(BODY) } });

    expect(last.status).toBe(200);
    expect(isRunning(server)).toBe(true);
    expect(readNdjson(server.log).map((record) => record.signature)).toEqual([
      'invalid',
      'invalid',
      'missing',
      'invalid',
      'valid',
    ]);
  });

  it('recognises the sha256= form', async () => {
    const server = await listen();

    const response = await sendRaw(server.url, {
      body: BODY,
      headers: { 'X-PLLAY-Signature': `sha256=${hmac(BODY)}` },
    });
    const [record] = readNdjson(server.log);

    expect(response.status).toBe(200);
    expect(record!.signature).toBe('valid');
    expect(record!.signature_header).toBe('x-pllay-signature');
    expect(record!.signature_form).toBe('sha256-prefixed');
  });

  it('matches the header in any case', async () => {
    const server = await listen();

    await sendRaw(server.url, { body: BODY, headers: { 'PLLAY-Signature': hmac(BODY) } });
    const [record] = readNdjson(server.log);

    expect(record!.signature).toBe('valid');
  });

  it('rejects a repeated header', async () => {
    const server = await listen();

    await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': [hmac(BODY), hmac(BODY)] } });
    const [record] = readNdjson(server.log);

    expect(record!.signature).toBe('invalid');
    expect(record!.signature_reason).toMatch(/2 times/);
  });

  it('verifies bytes that are not UTF-8', async () => {
    const server = await listen();
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);

    await sendRaw(server.url, { body: bytes, headers: { 'pllay-signature': hmac(bytes) } });
    const [record] = readNdjson(server.log);

    expect(record!.signature).toBe('valid');
    expect(record).not.toHaveProperty('body');
    expect(Buffer.from(record!.body_base64 as string, 'base64').equals(bytes)).toBe(true);
  });

  it('tries each rotated secret', async () => {
    const server = await listen(['--secret', 'whsec_old', '--secret', SECRET]);

    await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': hmac(BODY) } });
    await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': hmac(BODY, 'whsec_old') } });
    const records = readNdjson(server.log);

    expect(records.map((record) => record.signature)).toEqual(['valid', 'valid']);
    expect(records[0]!.secret_fingerprint).not.toBe(records[1]!.secret_fingerprint);
    expect(JSON.stringify(records)).not.toContain('whsec_old');
  });

  it('takes the secret from the environment', async () => {
    const server = await listen([], { PLLAY_WEBHOOK_SECRET: SECRET });

    await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': hmac(BODY) } });

    expect(readNdjson(server.log)[0]!.signature).toBe('valid');
  });

  it('never logs or prints the secret', async () => {
    const server = await listen();

    const sent = await runCli(['send', '--all', '--to', server.url, '--secret', SECRET]);
    await server.cli.stop('SIGINT');

    expect(sent.code).toBe(0);
    expect(readNdjson(server.log)).toHaveLength(13);
    expect(JSON.stringify(readNdjson(server.log))).not.toContain(SECRET);
    expect(server.cli.stdout()).not.toContain(SECRET);
    expect(server.cli.stderr()).not.toContain(SECRET);
  });
});

describe('listen --reject-invalid', () => {
  it('answers 401 to bad signatures', async () => {
    const server = await listen(['--secret', SECRET, '--reject-invalid']);

    const invalid = await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': hmac(`${BODY}x`) } });
    const missing = await sendRaw(server.url, { body: BODY });
    const valid = await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': hmac(BODY) } });

    expect(invalid.status).toBe(401);
    expect(invalid.body).toContain('signature invalid');
    expect(missing.status).toBe(401);
    expect(missing.body).toContain('signature missing');
    expect(valid.status).toBe(200);
  });

  it('still logs rejected requests', async () => {
    const server = await listen(['--secret', SECRET, '--reject-invalid']);

    await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': 'abc' } });
    await sendRaw(server.url, { body: BODY });

    expect(readNdjson(server.log).map((record) => record.signature)).toEqual(['invalid', 'missing']);
    expect(isRunning(server)).toBe(true);
  });
});

describe('listen without a secret', () => {
  it('warns at start', async () => {
    const server = await listen([]);

    await vi.waitFor(() => expect(server.cli.stderr()).toContain('no secret'));
    expect(server.cli.stderr()).toContain('--secret');
    expect(server.cli.stderr()).toContain('PLLAY_WEBHOOK_SECRET');
  });

  it('marks every event unchecked', async () => {
    const server = await listen([]);

    const sent = await runCli(['send', '--all', '--to', server.url, '--secret', SECRET]);
    await sendRaw(server.url, { body: BODY });
    await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': 'zz' } });
    const records = readNdjson(server.log);

    expect(sent.code).toBe(0);
    expect(records).toHaveLength(15);
    expect(new Set(records.map((record) => record.signature))).toEqual(new Set(['unchecked']));
    expect(server.cli.stdout()).not.toContain('✔ valid');
  });

  it('accepts unchecked events with --reject-invalid', async () => {
    const server = await listen(['--reject-invalid']);

    const response = await sendRaw(server.url, { body: BODY, headers: { 'pllay-signature': hmac(BODY) } });

    expect(response.status).toBe(200);
    expect(readNdjson(server.log)[0]!.signature).toBe('unchecked');
    expect(server.cli.stderr()).toContain('--reject-invalid has no effect');
  });
});
