import autocannon from 'autocannon';

import { median } from './stats.js';

/**
 * POSTs the same signed body over `connections` keep-alive connections for
 * `seconds` with autocannon, and returns the rate of 2xx responses and their
 * latency percentiles in milliseconds. The percentiles come from every
 * response time as autocannon measured it, because its own histogram keeps
 * whole milliseconds only.
 */
export async function postLoad({ url, body, headers, connections, seconds }) {
  const times = [];
  const instance = autocannon({
    url,
    method: 'POST',
    body,
    headers,
    connections,
    duration: seconds,
    timeout: 10,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) {
      times.push(responseTime);
    }
  });

  const result = await instance;
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) {
    throw new Error(`${failures} of ${result.requests.sent} requests to ${url} got no 2xx response`);
  }

  times.sort((a, b) => a - b);
  return {
    perSecond: result['2xx'] / result.duration,
    completed: result['2xx'],
    p50: median(times),
    p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))],
  };
}
