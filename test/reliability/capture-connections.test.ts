import { existsSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';

import { afterEach, expect } from 'vitest';

import { runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { sendRaw } from '../helpers/http.js';
import { startListen } from '../helpers/listen.js';
import { tempDir } from '../helpers/temp.js';
import { hmac, logRecords, originOf, rawExchange, sharedListen, waitUntil } from './helpers.js';
import { reliabilitySection } from './suite.js';

const section = reliabilitySection('connections');
const quick = sharedListen(['--headers-timeout', '500ms', '--request-timeout', '1500ms']);
const listen = sharedListen();
const ENVELOPE =
  '{"id":"evt_conn_1","type":"kyc.started","created":1761958815,"data":{"object":{}}}';
const cleanups: Array<() => Promise<unknown> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

/** Returns the bytes of a request head, one string each, to be sent a byte at a time. */
function slowHead(): string[] {
  return [
    ...`POST /webhooks/pllay HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: ${'p'.repeat(40)}\r\n\r\n`,
  ];
}

/** Checks an exchange cut off by a timeout before the client finished writing. */
function expectCutOff(exchange: Awaited<ReturnType<typeof rawExchange>>, total: number): void {
  expect(exchange.status).toBe(408);
  expect(exchange.response).toContain('408 Request Timeout');
  expect(exchange.closedByServer).toBe(true);
  expect(exchange.written).toBeLessThan(total);
}

section.test('slow-headers', async () => {
  const { url, log } = quick.current();
  const before = logRecords(log).length;
  const pieces = slowHead();

  const exchange = await rawExchange(url, { pieces, pauseMs: 50, closeAfterMs: 10_000 });

  expectCutOff(exchange, pieces.length);
  expect(logRecords(log)).toHaveLength(before);
  return `408 and closed by the server before the ${pieces.length} header bytes, one per 50 ms, were sent; nothing logged`;
});

section.test('slow-body', async () => {
  const { url, log } = quick.current();
  const before = logRecords(log).length;
  const body = [...ENVELOPE];
  const head = `POST /webhooks/pllay HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${body.length}\r\n\r\n`;

  const exchange = await rawExchange(url, {
    head,
    pieces: body,
    pauseMs: 50,
    closeAfterMs: 10_000,
  });

  expectCutOff(exchange, head.length + body.length);
  expect(logRecords(log)).toHaveLength(before);
  return `408 and closed by the server before the ${body.length}-byte body at one byte per 50 ms ended; nothing logged`;
});

section.test('silent', async () => {
  const { url } = quick.current();

  const exchange = await rawExchange(url, { closeAfterMs: 10_000 });

  expect(exchange.status).toBe(408);
  expect(exchange.closedByServer).toBe(true);
  return `${exchange.status} and closed by the server`;
});

section.test('timeouts-config', async () => {
  const folder = tempDir();
  cleanups.push(() => folder.remove());
  const config = join(folder.path, 'pllay-hooks.json');
  writeFileSync(
    config,
    JSON.stringify({ listen: { headersTimeout: '500ms', requestTimeout: '1s' } }),
  );
  const running = await startListen(['--config', config, '--secret', 'whsec_test_config']);
  cleanups.push(
    () => running.remove(),
    () => running.cli.stop(),
  );
  const pieces = slowHead();

  const exchange = await rawExchange(running.url, { pieces, pauseMs: 50, closeAfterMs: 10_000 });
  const configOutput = await runCli(['config', '--config', config, '--json']);

  expectCutOff(exchange, pieces.length);
  expect(JSON.parse(configOutput.stdout)).toMatchObject({
    settings: {
      'listen.headersTimeout': { value: 500, source: 'file' },
      'listen.requestTimeout': { value: 1000, source: 'file' },
    },
  });
  return `${exchange.status} before the slow headers ended; config shows 500 ms and 1000 ms from the file`;
});

section.test('timeouts-order', async () => {
  const folder = tempDir();
  cleanups.push(() => folder.remove());
  const log = join(folder.path, 'logs', 'capture.ndjson');

  const result = await runCli([
    'listen',
    '--port',
    '0',
    '--log',
    log,
    '--headers-timeout',
    '5s',
    '--request-timeout',
    '1s',
  ]);

  expect(result.code).toBe(2);
  expect(result.stderr).toContain(
    'the headers timeout (5s) is longer than the request timeout (1s)',
  );
  expect(result.stderr).toContain('--headers-timeout');
  expect(result.stderr).toContain('--request-timeout');
  expect(result.stdout).toBe('');
  expect(existsSync(join(folder.path, 'logs'))).toBe(false);
  return `exit ${result.code}: ${result.stderr.split('\n')[0]}`;
});

section.test(
  'many',
  async () => {
    const { url, log } = listen.current();
    const before = logRecords(log).length;
    const { hostname, port } = new URL(url);
    const count = 500;

    const sockets = await Promise.all(
      Array.from({ length: count }, () => connectSocket(hostname, Number(port))),
    );
    cleanups.push(() => sockets.forEach((socket) => socket.destroy()));
    const statuses = await Promise.all(sockets.map((socket, index) => postOn(socket, index)));

    expect(statuses.filter((status) => status === 200)).toHaveLength(count);
    expect(logRecords(log)).toHaveLength(before + count);
    return `${count} connections open at once: ${count} × 200, ${count} records`;
  },
  30_000,
);

function connectSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends one signed event on an open connection and resolves with the response status. */
function postOn(socket: Socket, index: number): Promise<number> {
  const body = `{"id":"evt_many_${index}","type":"kyc.started"}`;
  let response = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (response += chunk));
  socket.write(
    `POST /webhooks/pllay HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\npllay-signature: ${hmac(body)}\r\n\r\n${body}`,
  );
  return new Promise((resolve) => {
    socket.once('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0)));
  });
}

section.test('disconnect', async () => {
  const running = listen.current();
  const before = logRecords(running.log).length;
  const warnings = running.cli.stderr().split('disconnected or timed out').length;
  const chunk = '{"id":"evt_gone",';

  const exchange = await rawExchange(running.url, {
    head: 'POST /webhooks/pllay HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n\r\n',
    pieces: [`${chunk.length.toString(16)}\r\n${chunk}\r\n`],
    closeAfterMs: 200,
  });
  await waitUntil(() => running.cli.stderr().split('disconnected or timed out').length > warnings);
  const after = await sendRaw(running.url, {
    body: ENVELOPE,
    headers: { 'pllay-signature': hmac(ENVELOPE) },
  });
  const records = logRecords(running.log);

  expect(exchange.closedByServer).toBe(false);
  expect(exchange.status).toBe(0);
  expect(after.status).toBe(200);
  expect(records).toHaveLength(before + 1);
  expect(JSON.stringify(records)).not.toContain('evt_gone');
  return `no record of the cut request, a warning; next request ${after.status} and logged`;
});

section.test('methods', async () => {
  const { url, log } = listen.current();
  const before = logRecords(log).length;
  const methods = ['PUT', 'PATCH', 'DELETE', 'OPTIONS'];

  const responses = await Promise.all(
    methods.map((method) => sendRaw(url, { method, body: ENVELOPE })),
  );

  for (const response of responses) {
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
  }
  expect(logRecords(log)).toHaveLength(before);
  return `${methods.join(', ')}: 405 with allow: POST; nothing logged`;
});

section.test('health', async () => {
  const { url, log } = listen.current();
  const origin = originOf(url);
  const before = logRecords(log).length;

  const root = await sendRaw(`${origin}/`, { method: 'GET' });
  const health = await sendRaw(`${origin}/health`, { method: 'GET' });
  const other = await sendRaw(`${origin}/webhooks/pllay`, { method: 'GET' });

  expect(root.status).toBe(200);
  expect(health.status).toBe(200);
  expect(JSON.parse(health.body)).toEqual({ status: 'ok', service: 'pllay-hooks listen' });
  expect(other.status).toBe(405);
  expect(logRecords(log)).toHaveLength(before);
  return `GET / ${root.status}, GET /health ${health.status} ${health.body}; GET on another path ${other.status}`;
});

section.test('loopback', async () => {
  const { url } = listen.current();
  const { port } = new URL(url);

  const viaIpv6 = await connectSocket('::1', Number(port)).then(
    (socket) => {
      socket.destroy();
      return 'connected';
    },
    (error: NodeJS.ErrnoException) => error.code ?? 'failed',
  );

  expect(new URL(url).hostname).toBe('127.0.0.1');
  expect(viaIpv6).not.toBe('connected');
  return `printed URL on 127.0.0.1; the same port on ::1 is not served`;
});

section.test('all-interfaces', async () => {
  const folder = tempDir();
  cleanups.push(() => folder.remove());
  const cli: RunningCli = startCli([
    'listen',
    '--host',
    '0.0.0.0',
    '--port',
    '0',
    '--log',
    join(folder.path, 'capture.ndjson'),
    '--secret',
    'whsec_test_host',
  ]);
  cleanups.push(() => cli.stop());

  const [, port] = await cli.waitForLine(/^Listening on http:\/\/0\.0\.0\.0:(\d+)\//m);
  const response = await sendRaw(`http://127.0.0.1:${port}/webhooks/pllay`, { body: ENVELOPE });
  await waitUntil(() => cli.stderr().includes('warning:'));

  expect(response.status).toBe(200);
  expect(cli.stderr()).toContain(
    'warning: listening on all interfaces (0.0.0.0): anyone on your network can send events here',
  );
  return 'bound to 0.0.0.0 with the warning "listening on all interfaces (0.0.0.0)"; served on 127.0.0.1';
});

section.checkDoc();
