import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

import { afterAll, beforeAll } from 'vitest';

import { sendRaw } from '../helpers/http.js';
import { startListen, type RunningListen } from '../helpers/listen.js';

export const SECRET = 'whsec_test_reliability';

/** Returns the hex HMAC-SHA256 signature of a body. */
export function hmac(body: Buffer | string, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Starts one `listen` for the tests of a file, before the first and stopped
 * after the last, since each test only adds requests and reads its own record.
 */
export function sharedListen(args: string[] = []): { current(): RunningListen } {
  let running: RunningListen | undefined;

  beforeAll(async () => {
    running = await startListen(['--secret', SECRET, ...args]);
  });
  afterAll(async () => {
    await running?.cli.stop();
    running?.remove();
  });

  return {
    current: () => {
      if (running === undefined) {
        throw new Error('listen has not started');
      }
      return running;
    },
  };
}

/** Reads every complete record of an NDJSON log. */
export function logRecords(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Returns the origin of a listen URL: http://127.0.0.1:PORT without the path. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/** Returns whether a listen process still runs and responds to its health check. */
export async function isServing(listen: RunningListen): Promise<boolean> {
  const running = listen.cli.child.exitCode === null && listen.cli.child.signalCode === null;
  const health = await sendRaw(`${originOf(listen.url)}/health`, { method: 'GET' });
  return running && health.status === 200;
}

export interface RawExchange {
  /** Everything the server sent before it closed the connection. */
  response: string;
  /** Status of the first response, or 0 when none came. */
  status: number;
  /** Whether the server closed the connection, rather than the client. */
  closedByServer: boolean;
  /** Bytes the client wrote before the connection closed. */
  written: number;
}

export interface RawOptions {
  /** Written at once, after connecting. */
  head?: string | Buffer;
  /** Written one piece at a time, `pauseMs` apart, after `head`. */
  pieces?: Array<string | Buffer>;
  pauseMs?: number;
  /** Closes the connection from the client side this long after the last piece. */
  closeAfterMs?: number;
}

/**
 * Talks to a server over a plain TCP connection, for requests that no HTTP
 * client sends: bytes dripped slowly, a body cut short, lengths that lie.
 */
export function rawExchange(url: string, options: RawOptions): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let response = '';
  let written = 0;
  let closedByClient = false;

  socket.setEncoding('latin1').on('data', (chunk: string) => (response += chunk));
  socket.on('error', () => undefined);

  const write = (data: string | Buffer): void => {
    if (!socket.destroyed) {
      socket.write(data);
      written += Buffer.byteLength(data);
    }
  };

  socket.once('connect', () => {
    void (async () => {
      if (options.head !== undefined) {
        write(options.head);
      }
      for (const piece of options.pieces ?? []) {
        await pause(options.pauseMs ?? 0);
        if (socket.destroyed) {
          return;
        }
        write(piece);
      }
      if (options.closeAfterMs !== undefined) {
        await pause(options.closeAfterMs);
        closedByClient = !socket.destroyed;
        socket.destroy();
      }
    })();
  });

  return new Promise((resolve) => {
    socket.once('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response);
      resolve({
        response,
        status: status ? Number(status[1]) : 0,
        closedByServer: !closedByClient,
        written,
      });
    });
  });
}

/** Waits without blocking the event loop. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `check` passes, or fails after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await pause(20);
  }
}

/** Replaces what differs between runs (ports, temporary folders) so that results can be compared. */
export function stable(text: string, folders: readonly string[] = []): string {
  let result = text;
  for (const folder of folders) {
    result = result.replaceAll(folder, '<tmp>');
  }
  return result.replace(/(127\.0\.0\.1|localhost|\[::1\]):\d+/g, '$1:PORT').trim();
}
