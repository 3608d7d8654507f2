import { fixForUnaccepted, formatMs, isAccepted, median, RESPOND_FIRST_FIX } from './judge.js';
import type { CheckVerdict, Exchange, JudgeContext } from './types.js';

/**
 * Judges the response times of every correctly signed event of the run
 * that got a 2xx. A median over the limit fails, but a few slow responses
 * only warn, since one may be noise. A timeout counts as a response at its
 * deadline. Other responses, such as a quick 500 or 302, are not counted,
 * and when no event got a 2xx the check fails.
 */
export function judgeLatency({ timed, setup }: JudgeContext): CheckVerdict {
  const counted = timed.filter((exchange) => isAccepted(exchange) || exchange.error?.code === 'TIMEOUT');
  const samples = counted.map((exchange) => exchange.durationMs);
  const others = timed.length - counted.length;
  if (samples.length === 0) {
    return noAcceptedResponse(timed);
  }

  const limit = setup.maxLatencyMs;
  const middle = median(samples);
  const max = Math.max(...samples);
  const slow = samples.filter((ms) => ms > limit).length;
  const metrics = { median_ms: middle, max_ms: max, limit_ms: limit, responses: samples.length, over_limit: slow };
  const evidence =
    `median ${formatMs(middle)}, max ${formatMs(max)} over ${samples.length} responses` +
    (slow === 0 ? `, limit ${formatMs(limit)}` : `; ${slow} over the ${formatMs(limit)} limit`) +
    (others === 0 ? '' : `; ${others} other than 2xx not counted`);

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

function noAcceptedResponse(timed: readonly Exchange[]): CheckVerdict {
  const first = timed[0];
  if (first === undefined || timed.every((exchange) => exchange.status === undefined)) {
    return {
      status: 'fail',
      evidence: 'no signed event got a response, so there is no time to measure',
      fix: 'check that the app is running and reachable at the --to URL',
    };
  }

  const answers = [...new Set(timed.map((exchange) => exchange.status ?? exchange.error?.code ?? 'error'))];
  return {
    status: 'fail',
    evidence: `no signed event got a 2xx, so there is no time to measure: the endpoint answered ${answers.join(', ')}`,
    fix: fixForUnaccepted(timed.find((exchange) => exchange.status !== undefined) ?? first),
  };
}
