import { buildSignedHeaders } from '../delivery/headers.js';
import { newId, type Envelope } from '../events/envelope.js';
import { generateEvent } from '../events/generate.js';
import { SIGNATURE_HEADER } from '../signature/index.js';
import type { PlannedRequest } from './types.js';

/** An event type PLLAY does not send today, standing in for the types it adds over time. */
export const UNKNOWN_EVENT_TYPE = 'payment.disputed';

/** The signature header in another letter case. HTTP header names are case-insensitive. */
export const MIXED_CASE_SIGNATURE_HEADER = 'PLLAY-Signature';

/**
 * Smallest size of the large-body check's event: over the 100 KiB that
 * Express's `express.json()` accepts by default, well under 1 MiB.
 * NOTE: PLLAY's guide states no maximum body size; this size is an
 * estimate of a big tournament result, not a documented limit.
 */
export const LARGE_BODY_BYTES = 320 * 1024;

/** A body cut off in the middle, as a broken proxy or a dropped connection leaves it. */
export const TRUNCATED_JSON_BODY = '{"id":"evt_truncated","type":"payment.succeeded","data":{"obj';

/** Text with accents, a dash and emoji, which each take several bytes in UTF-8. */
export const ACCENTED_TEXT = {
  displayName: 'Zoë Ångström-Núñez',
  note: 'Première victoire — ¡olé! 🎉🏆',
};

/** Builds a correctly signed request for a body. */
export function signedRequest(label: string, body: string, secret: string): PlannedRequest {
  return { label, body, headers: buildSignedHeaders({ body, secret }), timed: true };
}

/** Builds a correctly signed event of a type, with a fresh id. */
export function signedEvent(type: string, secret: string, label = type): PlannedRequest {
  return signedRequest(label, generateEvent({ type }).body, secret);
}

/** Builds an event signed with another secret, so the signature is well formed but does not match. */
export function wrongSignatureRequest(type: string, secret: string): PlannedRequest {
  const body = generateEvent({ type }).body;
  const headers = buildSignedHeaders({ body, secret: `${secret}-not-the-endpoint-secret` });
  return { label: type, body, headers, timed: false };
}

/** Builds an event with no signature header at all. */
export function missingSignatureRequest(type: string, secret: string): PlannedRequest {
  const body = generateEvent({ type }).body;
  const headers = buildSignedHeaders({ body, secret });
  delete headers[SIGNATURE_HEADER];
  return { label: type, body, headers, timed: false };
}

/** Builds an event whose amount, or else status, was changed after the body was signed. */
export function tamperedBodyRequest(type: string, secret: string): PlannedRequest {
  const { envelope, body } = generateEvent({ type });
  const headers = buildSignedHeaders({ body, secret });
  return { label: type, body: JSON.stringify(tamper(envelope)), headers, timed: false };
}

function tamper(envelope: Envelope): Envelope {
  const changed = structuredClone(envelope);
  const object = changed.data.object;

  if (typeof object.amount === 'number') {
    object.amount = object.amount * 100;
  } else {
    object.status = 'tampered';
  }
  return changed;
}

/** Builds a correctly signed event whose signature header name is in mixed case. */
export function mixedCaseHeaderRequest(type: string, secret: string): PlannedRequest {
  const request = signedEvent(type, secret);
  const signature = request.headers[SIGNATURE_HEADER]!;
  delete request.headers[SIGNATURE_HEADER];
  request.headers[MIXED_CASE_SIGNATURE_HEADER] = signature;
  return request;
}

/** Builds a correctly signed payment event with a type PLLAY does not send today. */
export function unknownTypeRequest(secret: string): PlannedRequest {
  const { body } = generateEvent({
    type: 'payment.succeeded',
    set: [
      { path: ['type'], value: UNKNOWN_EVENT_TYPE },
      { path: ['data', 'object', 'status'], value: 'disputed' },
    ],
  });
  return signedRequest(UNKNOWN_EVENT_TYPE, body, secret);
}

/** Builds a correctly signed body that is not JSON, because it was cut off. */
export function truncatedJsonRequest(secret: string): PlannedRequest {
  return { ...signedRequest('truncated JSON', TRUNCATED_JSON_BODY, secret), timed: false };
}

/** Builds a correctly signed event whose text has accents and emoji. */
export function accentedTextRequest(type: string, secret: string): PlannedRequest {
  return signedRequest(type, generateEvent({ type, data: { ...ACCENTED_TEXT } }).body, secret);
}

/** Builds a correctly signed `tournament.ended` event with enough results to reach LARGE_BODY_BYTES. */
export function largeBodyRequest(secret: string): PlannedRequest {
  const sampleBytes = JSON.stringify(tournamentResult(2)).length + 1;
  const results = Array.from({ length: Math.ceil(LARGE_BODY_BYTES / sampleBytes) }, (_, index) =>
    tournamentResult(index + 1),
  );

  const id = newId('evt');
  let body = largeTournamentBody(id, results);
  while (Buffer.byteLength(body) < LARGE_BODY_BYTES) {
    results.push(tournamentResult(results.length + 1));
    body = largeTournamentBody(id, results);
  }
  return signedRequest(`tournament.ended, ${results.length} results`, body, secret);
}

function largeTournamentBody(id: string, results: Array<{ userId: string }>): string {
  return generateEvent({
    type: 'tournament.ended',
    id,
    data: { participantCount: results.length, results, winners: [results[0]!.userId] },
  }).body;
}

function tournamentResult(rank: number): { userId: string } & Record<string, unknown> {
  const winner = rank === 1;
  return {
    userId: newId('usr'),
    rank,
    isWinner: winner,
    matchPoints: winner ? 3 : 1,
    tournamentPoints: winner ? 3 : 1,
    payout: winner ? 3600 : 0,
  };
}
