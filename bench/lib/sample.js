import { generateEvent } from '../../dist/events/index.js';

/** Secret that every benchmark signs and verifies with. */
export const SECRET = 'whsec_bench_3f9a1c7e5b2d4086';

/** Event type whose generated body is about 400 bytes, the size the benchmarks send. */
export const SAMPLE_TYPE = 'payment.refunded';

/** Returns one generated event body of SAMPLE_TYPE, as `send` would build it. */
export function sampleBody() {
  return generateEvent({ type: SAMPLE_TYPE }).body;
}
