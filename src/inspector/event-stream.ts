import type { IncomingMessage, ServerResponse } from 'node:http';

/** Unsent bytes after which a client that does not read is dropped, so that it reconnects and reloads. */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/** Interval of the comment line that keeps idle connections open and finds dead ones. */
const HEARTBEAT_MS = 20_000;

/** Delay, in milliseconds, that a browser waits before it reconnects. */
const RETRY_MS = 1_000;

/**
 * Time that messages are gathered before they are written, in milliseconds.
 * Under load, one write then carries many captures instead of one each.
 */
export const FLUSH_MS = 50;

/**
 * Server-sent events to every open page. Each message is serialised once,
 * gathered for FLUSH_MS, and written to every client in one write. A client
 * whose unsent data passes MAX_PENDING_BYTES is disconnected, so that memory
 * stays bounded.
 */
export class EventStream {
  readonly #clients = new Set<ServerResponse>();
  #pending = '';
  #flushTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  /** Number of connected clients. */
  get size(): number {
    return this.#clients.size;
  }

  /** Responds to a request with an event stream and keeps it open until the client leaves. */
  open(request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): void {
    if (this.#closed) {
      response.writeHead(503, { ...headers, 'content-type': 'text/plain' }).end('stopping\n');
      return;
    }

    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.write(`retry: ${RETRY_MS}\n\n`);
    request.socket.setNoDelay(true);

    this.#clients.add(response);
    response.on('close', () => {
      this.#clients.delete(response);
      if (this.#clients.size === 0) {
        this.#stopHeartbeat();
      }
    });
    this.#startHeartbeat();
  }

  /** Sends one event with a JSON payload to every client. */
  send(event: string, data: unknown): void {
    if (this.#clients.size === 0) {
      return;
    }

    // JSON.stringify never emits a raw newline, so the payload fits on one data line.
    this.#pending += `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    this.#flushTimer ??= setTimeout(() => this.#flush(), FLUSH_MS);
  }

  /** Sends the gathered messages, ends every stream and refuses new ones. */
  close(): void {
    this.#flush();
    this.#closed = true;
    this.#stopHeartbeat();
    for (const response of this.#clients) {
      response.end();
      response.socket?.destroySoon();
    }
    this.#clients.clear();
  }

  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending !== '') {
      const text = this.#pending;
      this.#pending = '';
      this.#write(text);
    }
  }

  #write(text: string): void {
    for (const response of this.#clients) {
      if (response.writableLength > MAX_PENDING_BYTES) {
        response.destroy();
        continue;
      }
      response.write(text);
    }
  }

  #startHeartbeat(): void {
    if (this.#heartbeat === undefined) {
      this.#heartbeat = setInterval(() => this.#write(': heartbeat\n\n'), HEARTBEAT_MS);
      this.#heartbeat.unref();
    }
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
