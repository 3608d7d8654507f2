import {
  ANSWER_FIRST_FIX,
  describeExchange,
  fixForUnaccepted,
  formatMs,
  isAccepted,
  judgeAccepted,
  judgeEachType,
  judgeRejected,
  median,
} from './judge.js';
import {
  accentedTextRequest,
  largeBodyRequest,
  missingSignatureRequest,
  mixedCaseHeaderRequest,
  signedEvent,
  tamperedBodyRequest,
  truncatedJsonRequest,
  unknownTypeRequest,
  wrongSignatureRequest,
} from './requests.js';
import type { CheckDefinition, CheckVerdict, Exchange, JudgeContext } from './types.js';

const MISMATCH_FAILURE_FIX = 'answer 401 when the signature does not match, instead of failing';

const DUPLICATE_FIX =
  'answer 2xx to an event id that was already processed, and skip the work: PLLAY may deliver an event more than once';

/**
 * The checks, in scorecard order. Checks that need a single event use the
 * first selected type; the large body is always a `tournament.ended` event.
 */
export const CHECKS: readonly CheckDefinition[] = [
  {
    id: 'signed-event-accepted',
    practice: 'accepts-events',
    title: 'signed event gets a 2xx',
    plan: ({ types, secret }) => types.map((type) => [signedEvent(type, secret)]),
    judge: (sequences, { setup }) =>
      judgeEachType(sequences, setup.types, ([exchange]) => judgeAccepted(exchange!), (statuses) => `answered ${statuses}`),
  },
  {
    id: 'wrong-signature-rejected',
    practice: 'verifies-signatures',
    title: 'wrong signature is rejected',
    plan: ({ types, secret }) => [[wrongSignatureRequest(types[0]!, secret)]],
    judge: ([sequence]) => judgeRejected(sequence![0]!, MISMATCH_FAILURE_FIX),
  },
  {
    id: 'missing-signature-rejected',
    practice: 'verifies-signatures',
    title: 'missing signature is rejected',
    plan: ({ types, secret }) => [[missingSignatureRequest(types[0]!, secret)]],
    judge: ([sequence]) =>
      judgeRejected(
        sequence![0]!,
        'answer 401 when the pllay-signature header is missing: check that it is present before comparing',
      ),
  },
  {
    id: 'tampered-body-rejected',
    practice: 'verifies-signatures',
    title: 'tampered body is rejected',
    plan: ({ types, secret }) => [[tamperedBodyRequest(types[0]!, secret)]],
    judge: ([sequence]) => judgeRejected(sequence![0]!, MISMATCH_FAILURE_FIX),
  },
  {
    id: 'answers-within-limit',
    practice: 'answers-quickly',
    title: 'answers within the time limit',
    plan: () => [],
    judge: (_sequences, context) => judgeLatency(context),
  },
  {
    id: 'duplicate-accepted',
    practice: 'handles-duplicates',
    title: 'same event twice gets 2xx twice',
    plan: ({ types, secret }) =>
      types.map((type) => {
        const request = signedEvent(type, secret);
        return [request, { ...request, label: `${type}, again` }];
      }),
    judge: (sequences, { setup }) =>
      judgeEachType(sequences, setup.types, judgeDuplicate, (statuses) => `answered ${statuses} both times`),
  },
  {
    id: 'unknown-type-tolerated',
    practice: 'tolerates-unexpected-input',
    title: 'unknown event type gets no 5xx',
    plan: ({ secret }) => [[unknownTypeRequest(secret)]],
    judge: ([sequence]) => judgeUnknownType(sequence![0]!),
  },
  {
    id: 'invalid-json-tolerated',
    practice: 'tolerates-unexpected-input',
    title: 'body that is not JSON gets no 5xx',
    plan: ({ secret }) => [[truncatedJsonRequest(secret)]],
    judge: ([sequence]) => judgeInvalidJson(sequence![0]!),
  },
  {
    id: 'header-case-accepted',
    practice: 'accepts-legal-requests',
    title: 'header name in mixed case works',
    plan: ({ types, secret }) => [[mixedCaseHeaderRequest(types[0]!, secret)]],
    judge: ([sequence]) => {
      const fix = 'look up the signature header without regard to letter case: HTTP header names are case-insensitive';
      return judgeAccepted(sequence![0]!, { 400: fix, 401: fix, 403: fix });
    },
  },
  {
    id: 'large-body-accepted',
    practice: 'accepts-legal-requests',
    title: 'large body gets a 2xx',
    plan: ({ secret }) => [[largeBodyRequest(secret)]],
    judge: ([sequence]) => withSize(judgeAccepted(sequence![0]!), sequence![0]!),
  },
  {
    id: 'accented-text-accepted',
    practice: 'accepts-legal-requests',
    title: 'accents and emoji get a 2xx',
    plan: ({ types, secret }) => [[accentedTextRequest(types[0]!, secret)]],
    judge: ([sequence]) => {
      const fix =
        'compute the HMAC over the raw body bytes: decoding and re-encoding the text, or re-serialising the JSON, changes accented letters and emoji';
      return judgeAccepted(sequence![0]!, { 400: fix, 401: fix, 403: fix });
    },
  },
];

function judgeDuplicate([first, again]: Exchange[]): CheckVerdict {
  if (!isAccepted(first!)) {
    return {
      status: 'fail',
      evidence: `first delivery got ${describeExchange(first!, { response: true })}`,
      fix: fixForUnaccepted(first!),
    };
  }
  if (!isAccepted(again!)) {
    return {
      status: 'fail',
      evidence: `${first!.status}, then ${describeExchange(again!, { response: true })}`,
      fix: DUPLICATE_FIX,
    };
  }
  return { status: 'pass', evidence: `${first!.status}, then ${again!.status}` };
}

function judgeUnknownType(exchange: Exchange): CheckVerdict {
  if (isAccepted(exchange)) {
    return { status: 'pass', evidence: `${exchange.label}: ${describeExchange(exchange)}` };
  }

  const status = exchange.status;
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      status: 'warn',
      evidence: `${exchange.label}: ${describeExchange(exchange, { response: true })}`,
      fix: 'answer 2xx to event types the app does not handle, and ignore them',
      explanation:
        'PLLAY adds event types over time. A 4xx does not break the endpoint, but every event of a new type then counts as a failed delivery.',
    };
  }
  return {
    status: 'fail',
    evidence: `${exchange.label}: ${describeExchange(exchange, { response: true })}`,
    fix: 'give the switch on event.type a default branch that ignores types the app does not handle, and answer 2xx',
  };
}

function judgeInvalidJson(exchange: Exchange): CheckVerdict {
  const status = exchange.status;
  if (status !== undefined && ((status >= 200 && status < 300) || (status >= 400 && status < 500))) {
    return { status: 'pass', evidence: describeExchange(exchange) };
  }
  return {
    status: 'fail',
    evidence: describeExchange(exchange, { response: true }),
    fix: 'catch the error of parsing the body and answer 400 instead of failing',
  };
}

function withSize(verdict: CheckVerdict, exchange: Exchange): CheckVerdict {
  const kib = Math.round(exchange.bytes / 1024);
  return { ...verdict, evidence: `${exchange.label} (${kib} KiB): ${verdict.evidence}` };
}

/**
 * Judges the answer times of every correctly signed event of the run. A
 * median over the limit fails; a few answers over it only warn, since one
 * slow answer may be noise. A timeout counts as an answer at its deadline.
 */
function judgeLatency({ timed, setup }: JudgeContext): CheckVerdict {
  const samples = timed
    .filter((exchange) => exchange.status !== undefined || exchange.error?.code === 'TIMEOUT')
    .map((exchange) => exchange.durationMs);
  if (samples.length === 0) {
    return {
      status: 'fail',
      evidence: 'no signed event was answered, so there is no time to measure',
      fix: 'check that the app is running and reachable at the --to URL',
    };
  }

  const limit = setup.maxLatencyMs;
  const middle = median(samples);
  const max = Math.max(...samples);
  const slow = samples.filter((ms) => ms > limit).length;
  const metrics = { median_ms: middle, max_ms: max, limit_ms: limit, answers: samples.length, over_limit: slow };
  const evidence =
    `median ${formatMs(middle)}, max ${formatMs(max)} over ${samples.length} answers` +
    (slow === 0 ? `, limit ${formatMs(limit)}` : `; ${slow} over the ${formatMs(limit)} limit`);

  if (middle > limit) {
    return { status: 'fail', evidence, fix: ANSWER_FIRST_FIX, metrics };
  }
  if (slow > 0) {
    return {
      status: 'warn',
      evidence,
      fix: ANSWER_FIRST_FIX,
      explanation:
        'Most answers arrived in time, but some did not. A sender that stops waiting counts the delivery as failed and sends it again, so each slow answer can become a duplicate delivery.',
      metrics,
    };
  }
  return { status: 'pass', evidence, metrics };
}
