import type { DeliveryRecord } from '../log/index.js';
import {
  DEFAULT_BACKOFF,
  extractEvent,
  replayDeliveryRecord,
  replayEvent,
  type BackoffPolicy,
  type EventResult,
  type LoggedEvent,
  type ReplayProgress,
  type Signing,
} from '../replay/index.js';
import type { Entry } from './entries.js';

export interface EntryReplayOptions {
  target: URL;
  signing: Signing;
  /** Name of the log the event is in, as the replay result names its source. */
  logName: string;
  policy?: BackoffPolicy;
  timeoutMs?: number;
  stopSignal?: AbortSignal;
  cancelSignal?: AbortSignal;
  onProgress?: (progress: ReplayProgress) => void;
}

export interface EntryReplay {
  result: EventResult;
  /** The delivery record for the log, undefined when no attempt was made. */
  delivery?: DeliveryRecord;
}

/**
 * Sends a captured event again through the delivery code of `replay`: the
 * logged body byte for byte, signed afresh or with the captured signature,
 * retried under the backoff policy (that of `replay` by default).
 */
export async function replayEntry(entry: Entry, options: EntryReplayOptions): Promise<EntryReplay> {
  const event = loggedEvent(entry, options.logName);
  const result = await replayEvent(event, {
    url: options.target,
    signing: options.signing,
    policy: options.policy ?? DEFAULT_BACKOFF,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.stopSignal === undefined ? {} : { stopSignal: options.stopSignal }),
    ...(options.cancelSignal === undefined ? {} : { cancelSignal: options.cancelSignal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });

  const delivery = replayDeliveryRecord(result, options.target.href, options.signing);
  return delivery === undefined ? { result } : { result, delivery };
}

/** Returns why an entry cannot be replayed, or undefined when it can. */
export function replayBlocker(entry: Entry): string | undefined {
  const found = extractEvent({ kind: 'value', line: 0, raw: '', value: entry.capture }, 'log');
  return 'unusable' in found ? found.unusable : undefined;
}

/**
 * Reads the event out of a capture record the way `replay` reads a capture
 * log. The inspector does not track line numbers, so the line is 0.
 */
function loggedEvent(entry: Entry, logName: string): LoggedEvent {
  const found = extractEvent({ kind: 'value', line: 0, raw: '', value: entry.capture }, logName);
  if ('unusable' in found || found.event === undefined) {
    throw new Error(`event ${entry.seq} cannot be replayed: ${replayBlocker(entry) ?? 'no event'}`);
  }
  return found.event;
}
