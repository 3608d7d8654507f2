import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';

import { waitUntil } from './helpers.js';

/** A target of deliveries that misbehaves in one way, and how to stop it. */
export interface FaultyTarget {
  url: string;
  /** Requests that reached the target's HTTP layer. */
  requests(): number;
  close(): Promise<void>;
}

async function listening(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Closes a server and every connection it still has open. */
function closer(
  server: Server | ReturnType<typeof createTcpServer>,
  sockets: Set<Socket>,
): () => Promise<void> {
  return async () => {
    sockets.forEach((socket) => socket.destroy());
    server.close();
    await once(server, 'close').catch(() => undefined);
  };
}

function track(server: Server | ReturnType<typeof createTcpServer>): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Returns an address where nothing listens: a server was started there and closed again. */
export async function refusingTarget(): Promise<FaultyTarget> {
  const server = createTcpServer();
  const port = await listening(server);
  server.close();
  await once(server, 'close');
  return { url: `http://127.0.0.1:${port}`, requests: () => 0, close: async () => undefined };
}

/**
 * Starts a listening socket whose accept queue is full, so that a new
 * connection is never accepted. A child process listens with a backlog of 1
 * and blocks its event loop, so it never calls accept, and a few connections
 * fill the queue. Later connection attempts hang in SYN-SENT until they time out.
 */
export async function backloggedTarget(): Promise<FaultyTarget> {
  // Writes to a pipe are synchronous on Linux, so the port is out before the event loop blocks.
  const script = [
    "const server = require('node:net').createServer();",
    "server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {",
    '  console.log(server.address().port);',
    '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);',
    '});',
  ].join('\n');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await waitUntil(() => output.includes('\n'));

  const port = Number(output.trim());
  const fillers = Array.from({ length: 6 }, () =>
    connect(port, '127.0.0.1').on('error', () => undefined),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));

  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => 0,
    close: async () => {
      fillers.forEach((socket) => socket.destroy());
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) {
        await once(child, 'close');
      }
    },
  };
}

/** Starts a TCP server that accepts every connection and never reads or writes. */
export async function silentTarget(): Promise<FaultyTarget> {
  const server = createTcpServer();
  const sockets = track(server);
  const port = await listening(server);
  return { url: `http://127.0.0.1:${port}`, requests: () => 0, close: closer(server, sockets) };
}

export type Respond = (
  body: Buffer,
  response: import('node:http').ServerResponse,
  socket: Socket,
) => void;

/** Starts an HTTP server that reads each request body and lets `respond` misbehave. */
export async function httpTarget(respond: Respond): Promise<FaultyTarget> {
  let count = 0;
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      count++;
      respond(Buffer.concat(chunks), response, request.socket);
    });
  });
  const sockets = track(server);
  const port = await listening(server);
  return { url: `http://127.0.0.1:${port}`, requests: () => count, close: closer(server, sockets) };
}

/**
 * Starts a server that responds 200 and then streams response body bytes
 * for as long as the client reads them. `sent()` counts the bytes it managed to
 * write before the client dropped the connection.
 */
export async function endlessTarget(): Promise<FaultyTarget & { sent(): number }> {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const target = await httpTarget((_body, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    const pump = (): void => {
      while (!response.destroyed && response.write(chunk)) {
        sent += chunk.length;
      }
    };
    response.on('drain', pump);
    pump();
  });
  return { ...target, sent: () => sent };
}

export interface Certificate {
  key: string;
  cert: string;
  certPath: string;
}

/**
 * Makes a self-signed certificate for 127.0.0.1 with openssl, which must
 * be on the PATH. Returns undefined when it is not.
 */
export function makeCertificate(folder: string): Certificate | undefined {
  const keyPath = join(folder, 'key.pem');
  const certPath = join(folder, 'cert.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );

  if (made.error !== undefined || made.status !== 0) {
    return undefined;
  }
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

/** Starts an https server with a self-signed certificate that responds 200 to every request. */
export async function tlsTarget(certificate: Certificate): Promise<FaultyTarget> {
  let count = 0;
  const server = createHttpsServer(
    { key: certificate.key, cert: certificate.cert },
    (request, response) => {
      request.resume();
      request.on('end', () => {
        count++;
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    },
  );
  server.on('tlsClientError', () => undefined);
  const sockets = track(server as unknown as Server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests: () => count,
    close: closer(server as unknown as Server, sockets),
  };
}
