// The floor for `listen`: a bare node:http server that reads the body,
// checks its HMAC-SHA256 against the pllay-signature header in constant
// time, responds as listen does, and writes nothing anywhere.
//
//   node bench/baselines/capture-server.js --secret SECRET
//
// It listens on a free port of 127.0.0.1 and prints its URL.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { secret: { type: 'string' } } });
const secret = values.secret ?? '';

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const header = request.headers['pllay-signature'];
    const received = Buffer.from(typeof header === 'string' ? header : '', 'hex');
    const expected = createHmac('sha256', secret).update(body).digest();
    const valid = received.length === expected.length && timingSafeEqual(received, expected);

    const answer = valid ? '{"received":true}' : '{"error":"signature invalid"}';
    response.writeHead(valid ? 200 : 401, {
      'content-type': 'application/json',
      'content-length': answer.length,
    });
    response.end(answer);
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
