import { attemptRecord } from '../delivery/outcome.js';
import { encodeBody, type DeliveryRecord } from '../log/index.js';
import type { EventResult, Signing } from './run.js';

/**
 * Converts an event's attempts into a delivery record that `replay --failed`
 * can read back. Returns undefined for an event that was not attempted.
 */
export function replayDeliveryRecord(
  result: EventResult,
  target: string,
  signing: Signing,
): DeliveryRecord | undefined {
  if (result.attempts.length === 0) {
    return undefined;
  }

  return {
    kind: 'delivery',
    source: 'replay',
    event_id: result.event.id,
    type: result.event.type,
    ...encodeBody(result.event.body),
    // A kept signature was never checked here, so its verdict is unknown.
    signature: signing.kind === 'secret' ? 'valid' : 'unchecked',
    target,
    ok: result.outcome === 'delivered',
    attempts: result.attempts.map((attempt) => attemptRecord(attempt.result, attempt.at)),
  };
}
