import {
  describeExchange,
  fixForUnaccepted,
  isAccepted,
  judgeAccepted,
  judgeEachType,
  judgeRejected,
} from './judge.js';
import { judgeLatency } from './latency.js';
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

const MISMATCH_FAILURE_FIX = 'return 401 when the signature does not match, instead of failing with a 5xx';

const DUPLICATE_FIX =
  'return 2xx for an event id that was already processed and skip the work, because PLLAY may deliver an event more than once';

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
      judgeEachType(sequences, setup.types, ([exchange]) => judgeAccepted(exchange!), (statuses) => `got ${statuses}`),
  },
  {
    id: 'wrong-signature-rejected',
    practice: 'verifies-signatures',
    title: 'wrong signature is rejected',
    plan: ({ types, secret }) => [[wrongSignatureRequest(types[0]!, secret)]],
    judge: ([sequence], context) => judgeSignatureCheck(sequence![0]!, MISMATCH_FAILURE_FIX, context),
  },
  {
    id: 'missing-signature-rejected',
    practice: 'verifies-signatures',
    title: 'missing signature is rejected',
    plan: ({ types, secret }) => [[missingSignatureRequest(types[0]!, secret)]],
    judge: ([sequence], context) =>
      judgeSignatureCheck(
        sequence![0]!,
        'return 401 when the pllay-signature header is missing, and check that it is present before comparing',
        context,
      ),
  },
  {
    id: 'tampered-body-rejected',
    practice: 'verifies-signatures',
    title: 'tampered body is rejected',
    plan: ({ types, secret }) => [[tamperedBodyRequest(types[0]!, secret)]],
    judge: ([sequence], context) => judgeSignatureCheck(sequence![0]!, MISMATCH_FAILURE_FIX, context),
  },
  {
    id: 'responds-within-limit',
    practice: 'responds-quickly',
    title: 'responds within the time limit',
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
      judgeEachType(sequences, setup.types, judgeDuplicate, (statuses) => `got ${statuses} both times`),
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

/**
 * Judges a badly signed request as judgeRejected does, but a rejection passes only when a correctly
 * signed event of the same type got a 2xx in the same run. An endpoint that rejects every request
 * shows nothing about its signature check.
 */
function judgeSignatureCheck(exchange: Exchange, failureFix: string, { setup, timed }: JudgeContext): CheckVerdict {
  const verdict = judgeRejected(exchange, failureFix, setup.maxLatencyMs);
  const signed = timed.filter((candidate) => candidate.label === exchange.label);
  if (verdict.status !== 'pass' || signed.some(isAccepted)) {
    return verdict;
  }

  const answer = signed[0] === undefined ? 'no response' : describeExchange(signed[0]);
  return {
    status: 'fail',
    evidence: `${verdict.evidence}, but the correctly signed ${exchange.label} event got ${answer}, so the rejection shows no signature check`,
    fix: 'return 2xx to correctly signed events (see "signed event gets a 2xx"), and 4xx only when the signature does not match',
  };
}

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
      fix: 'return 2xx for event types the app does not handle, and ignore them',
      explanation:
        'PLLAY adds event types over time. A 4xx does not break the endpoint, but every event of a new type then counts as a failed delivery.',
    };
  }
  return {
    status: 'fail',
    evidence: `${exchange.label}: ${describeExchange(exchange, { response: true })}`,
    fix: isServerError(exchange)
      ? 'give the switch on event.type a default branch that ignores types the app does not handle and returns 2xx'
      : fixForUnaccepted(exchange),
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
    fix: isServerError(exchange) ? 'catch JSON parse errors and return 400 instead of failing with a 5xx' : fixForUnaccepted(exchange),
  };
}

function isServerError(exchange: Exchange): boolean {
  return exchange.status !== undefined && exchange.status >= 500;
}

function withSize(verdict: CheckVerdict, exchange: Exchange): CheckVerdict {
  const kib = Math.round(exchange.bytes / 1024);
  return { ...verdict, evidence: `${exchange.label} (${kib} KiB): ${verdict.evidence}` };
}
