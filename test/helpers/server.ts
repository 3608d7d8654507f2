import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** A request as a test server received it: the exact body bytes and the headers. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Header names and values as sent, letter case kept. */
  rawHeaders: string[];
  body: Buffer;
  at: number;
}

export interface TestServer {
  server: Server;
  /** Base URL such as http://127.0.0.1:41234. */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export type TestHandler = (request: ReceivedRequest, response: ServerResponse, index: number) => void | Promise<void>;

const okHandler: TestHandler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
};

/** Starts a real HTTP server on a free port, records each request, then lets `handler` answer. */
export async function startTestServer(handler: TestHandler = okHandler, host = '127.0.0.1'): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      requests.push(received);
      void handler(received, response, requests.length - 1);
    });
  });

  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const printable = host.includes(':') ? `[${host}]` : host;

  return {
    server,
    url: `http://${printable}:${port}`,
    port,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
