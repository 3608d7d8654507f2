import { once } from 'node:events';
import { createServer } from 'node:http';

const ANSWER = '{"received":true}';

/**
 * Starts the trivial webhook endpoint that deliveries are aimed at: it reads
 * each body and responds 200 at once. It runs inside the bench process, which
 * is otherwise idle while a sender runs, and counts requests with the time
 * of the first and the last, so that a sender's rate leaves out its start-up.
 */
export async function startTargetServer() {
  const counter = { count: 0, first: 0, last: 0, onFirst: undefined };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const now = performance.now();
      if (counter.count === 0) {
        counter.first = now;
        counter.onFirst?.();
      }
      counter.last = now;
      counter.count++;
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length });
      response.end(ANSWER);
    });
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    url: `http://127.0.0.1:${server.address().port}/webhooks/pllay`,
    /** Starts a new count; `onFirst` is called when its first request arrives. */
    reset(onFirst) {
      counter.count = 0;
      counter.onFirst = onFirst;
    },
    /** Returns the requests received since the last reset, and their rate per second. */
    snapshot() {
      const seconds = (counter.last - counter.first) / 1000;
      return { count: counter.count, perSecond: counter.count > 1 ? (counter.count - 1) / seconds : 0 };
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
