// The floor for `send`: a bare loop that POSTs signed copies of one event
// with undici, `concurrency` requests in flight, each with a fresh id and
// its own HMAC-SHA256, reading each response body to the end. It prints
// nothing.
//
//   node bench/baselines/undici-send.js --url URL --count N --concurrency C \
//     --secret SECRET --body-file FILE
//
// Exits 1 when any response status is not 200.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { Agent, request } from 'undici';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    count: { type: 'string' },
    concurrency: { type: 'string' },
    secret: { type: 'string' },
    'body-file': { type: 'string' },
  },
});

const count = Number(values.count);
const concurrency = Number(values.concurrency);
const template = JSON.parse(readFileSync(values['body-file'], 'utf8'));
const dispatcher = new Agent({ connections: concurrency });
let next = 0;
let failed = 0;

async function lane() {
  while (next < count) {
    const index = next++;
    // Same length as a generated `evt_` id, so every body has the template's size.
    const body = JSON.stringify({ ...template, id: `evt_${String(index).padStart(16, '0')}` });
    const signature = createHmac('sha256', values.secret).update(body).digest('hex');

    const response = await request(values.url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'pllay-signature': signature },
      dispatcher,
    });
    await response.body.text();
    if (response.statusCode !== 200) {
      failed++;
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, () => lane()));
await dispatcher.close();
process.exitCode = failed === 0 ? 0 : 1;
