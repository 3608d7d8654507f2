import { formatMs, median, RESPOND_FIRST_FIX } from './judge.js';
import type { CheckVerdict, JudgeContext } from './types.js';

/**
 * Judges the response times of every correctly signed event of the run.
 * A median over the limit fails, but a few slow responses only warn,
 * since one may be noise. A timeout counts as a response at its deadline.
 */
export function judgeLatency({ timed, setup }: JudgeContext): CheckVerdict {
  const samples = timed
    .filter((exchange) => exchange.status !== undefined || exchange.error?.code === 'TIMEOUT')
    .map((exchange) => exchange.durationMs);
  if (samples.length === 0) {
    return {
      status: 'fail',
      evidence: 'no signed event got a response, so there is no time to measure',
      fix: 'check that the app is running and reachable at the --to URL',
    };
  }

  const limit = setup.maxLatencyMs;
  const middle = median(samples);
  const max = Math.max(...samples);
  const slow = samples.filter((ms) => ms > limit).length;
  const metrics = { median_ms: middle, max_ms: max, limit_ms: limit, responses: samples.length, over_limit: slow };
  const evidence =
    `median ${formatMs(middle)}, max ${formatMs(max)} over ${samples.length} responses` +
    (slow === 0 ? `, limit ${formatMs(limit)}` : `; ${slow} over the ${formatMs(limit)} limit`);

  if (middle > limit) {
    return { status: 'fail', evidence, fix: RESPOND_FIRST_FIX, metrics };
  }
  if (slow > 0) {
    return {
      status: 'warn',
      evidence,
      fix: RESPOND_FIRST_FIX,
      explanation:
        'Most responses arrived in time, but some did not. A sender that stops waiting counts the delivery as failed and sends it again, so each slow response can become a duplicate delivery.',
      metrics,
    };
  }
  return { status: 'pass', evidence, metrics };
}
