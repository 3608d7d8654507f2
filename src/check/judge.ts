import type { CheckVerdict, Exchange } from './types.js';

/** Fix for a 2xx to a badly signed request. */
export const VERIFY_FIRST_FIX =
  'verify the signature before responding: return 401 when it does not match, and 2xx only after it does';

/** Reason that a 2xx to a badly signed request is a warning and not a failure. */
export const VERIFY_FIRST_EXPLANATION =
  'A 2xx to a badly signed request cannot show whether the endpoint checks the signature later, ' +
  "as PLLAY's example handler does after it responds, or never checks it. From outside, both look the same. " +
  'An endpoint that verifies before it responds removes the doubt, and a sender of forged events learns that they were rejected.';

/** Fix for a response that took too long. */
export const RESPOND_FIRST_FIX =
  'return 2xx as soon as the event is verified and stored, and do the slow work in a background job';

/** Formats milliseconds for evidence: `3 ms`, `2.40 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function isAccepted(exchange: Exchange): boolean {
  return exchange.status !== undefined && exchange.status >= 200 && exchange.status < 300;
}

/** Describes a response in a few words, such as `401 in 3 ms`, with the start of its body when requested. */
export function describeExchange(exchange: Exchange, options: { response?: boolean } = {}): string {
  if (exchange.error) {
    return `no response (${exchange.error.code}) after ${formatMs(exchange.durationMs)}`;
  }

  const summary = `${exchange.status} in ${formatMs(exchange.durationMs)}`;
  const response = shorten(exchange.response ?? '', 60);
  return options.response && response !== '' ? `${summary}: ${response}` : summary;
}

/** Says how to make an endpoint accept a correctly signed event that it did not accept. */
export function fixForUnaccepted(exchange: Exchange): string {
  const code = exchange.error?.code;
  if (code === 'TIMEOUT') {
    return RESPOND_FIRST_FIX;
  }
  if (code === 'ECONNRESET') {
    return 'the app closed the connection without a response: look in its log for a crash on this request';
  }
  if (code !== undefined) {
    return 'check that the app is running and reachable at the --to URL';
  }
  return fixForStatus(exchange.status!);
}

function fixForStatus(status: number): string {
  if (status >= 300 && status < 400) {
    return 'redirects are not followed, so point --to and the URL registered with PLLAY at the final URL';
  }
  if (status === 401 || status === 403) {
    return 'verify the HMAC-SHA256 of the raw request bytes with the endpoint secret, not of parsed and re-serialised JSON';
  }
  if (status === 404 || status === 405) {
    return 'route POST requests on this path to the webhook handler, or fix the path in --to';
  }
  if (status === 413) {
    return 'raise the request body limit to at least 1 MiB (express.json() accepts 100 KiB by default)';
  }
  if (status >= 400 && status < 500) {
    return 'return 2xx for every correctly signed event, and keep 4xx for requests that fail verification';
  }
  return "the handler failed: look in the app's log for the error on this request";
}

/** Judges a request that should get a 2xx. `fixes` replaces the fix for particular statuses. */
export function judgeAccepted(exchange: Exchange, fixes: Record<number, string> = {}): CheckVerdict {
  if (isAccepted(exchange)) {
    return { status: 'pass', evidence: describeExchange(exchange) };
  }

  const fix = (exchange.status !== undefined ? fixes[exchange.status] : undefined) ?? fixForUnaccepted(exchange);
  return { status: 'fail', evidence: describeExchange(exchange, { response: true }), fix };
}

/** Reason that a slow 2xx to a badly signed request is a failure. */
export const SLOW_ACCEPT_EXPLANATION =
  'An endpoint that acknowledges first and verifies later responds at once. This one took longer than the latency limit, ' +
  'so it handled the request before it responded, and still accepted a signature that does not match.';

/**
 * Judges a badly signed request, which should get a 4xx. A quick 2xx is a
 * warning, because the endpoint may still verify after it responds. A 2xx
 * slower than `maxLatencyMs` is a failure: the endpoint did its work before
 * responding, and that work did not reject the request.
 */
export function judgeRejected(exchange: Exchange, failureFix: string, maxLatencyMs: number): CheckVerdict {
  const status = exchange.status;
  if (status !== undefined && status >= 400 && status < 500) {
    return { status: 'pass', evidence: `rejected with ${describeExchange(exchange)}` };
  }
  if (isAccepted(exchange) && exchange.durationMs > maxLatencyMs) {
    return {
      status: 'fail',
      evidence: `accepted with ${describeExchange(exchange)}, slower than the ${formatMs(maxLatencyMs)} limit`,
      fix: VERIFY_FIRST_FIX,
      explanation: SLOW_ACCEPT_EXPLANATION,
    };
  }
  if (isAccepted(exchange)) {
    return {
      status: 'warn',
      evidence: `accepted with ${describeExchange(exchange)}`,
      fix: VERIFY_FIRST_FIX,
      explanation: VERIFY_FIRST_EXPLANATION,
    };
  }

  const fix = status !== undefined && status < 400 ? fixForStatus(status) : failureFix;
  return { status: 'fail', evidence: describeExchange(exchange, { response: true }), fix };
}

/**
 * Judges a check that runs once per event type and combines the verdicts:
 * it passes when every type passes, and otherwise lists the first few types
 * that did not, with the fix of the first.
 */
export function judgeEachType(
  sequences: Exchange[][],
  types: readonly string[],
  judgeOne: (sequence: Exchange[]) => CheckVerdict,
  describePass: (statuses: string) => string,
): CheckVerdict {
  const verdicts = sequences.map(judgeOne);
  const failures = verdicts
    .map((verdict, index) => ({ verdict, type: types[index]! }))
    .filter(({ verdict }) => verdict.status !== 'pass');

  if (failures.length === 0) {
    const exchanges = sequences.flat();
    const statuses = [...new Set(exchanges.map((exchange) => exchange.status ?? 0))].sort();
    const typical = formatMs(median(exchanges.map((exchange) => exchange.durationMs)));
    return {
      status: 'pass',
      evidence: `${ofTypes(types.length, types.length)} ${describePass(statuses.join(', '))}, median ${typical}`,
    };
  }

  const listed = failures.slice(0, 3).map(({ type, verdict }) => `${type}: ${verdict.evidence}`);
  if (failures.length > 3) {
    listed.push(`${failures.length - 3} more`);
  }
  const first = failures[0]!.verdict;
  return {
    status: failures.some(({ verdict }) => verdict.status === 'fail') ? 'fail' : 'warn',
    evidence: `${ofTypes(failures.length, types.length)} did not: ${listed.join('; ')}`,
    ...(first.fix === undefined ? {} : { fix: first.fix }),
    ...(first.explanation === undefined ? {} : { explanation: first.explanation }),
  };
}

function ofTypes(count: number, total: number): string {
  return `${count} of ${total} type${total === 1 ? '' : 's'}`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Shortens text to one line of at most `width` characters. */
export function shorten(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}
