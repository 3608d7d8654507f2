import { decodeBody, type DeliveryRecord } from '../log/index.js';
import { sign, SIGNATURE_HEADER } from '../signature/index.js';
import { summarizeEntry, type Entry, type EntrySummary } from './entries.js';
import { explainVerdict } from './explain.js';

/** Text that replaces a secret wherever it would be shown. */
export const REDACTED = '[redacted: the secret]';

/** A delivery of an event without its body, which the detail shows once already. */
export type DeliveryView = Omit<DeliveryRecord, 'body' | 'body_base64'>;

/** Everything the detail view of one event shows. */
export interface EntryDetail extends EntrySummary {
  method: string;
  remote_address?: string;
  /** Header names and values as they arrived, with a repeated header once per value. */
  headers: Array<[string, string]>;
  body?: string;
  body_base64?: string;
  signature_header?: string;
  signature_form?: string;
  explanation: string[];
  deliveries_detail: DeliveryView[];
  replay: ReplayInfo;
}

/** Data that the replay controls and the copied commands need. */
export interface ReplayInfo {
  /** Reason that the event cannot be replayed, when it cannot. */
  unavailable?: string;
  /** The signature header as it arrived, sent as it is with "keep signature". */
  captured_signature?: { header: string; value: string };
  /** A signature of the body under the current secret, when listen has one. */
  fresh_signature?: { header: string; value: string };
}

/** Secrets and signature format of listen, which the detail uses without showing the secrets. */
export interface DetailOptions {
  secrets: readonly string[];
  /** Header that a fresh signature goes in; pllay-signature by default. */
  signatureHeader?: string;
  /** Text before the hex digest of a fresh signature; none by default. */
  signaturePrefix?: string;
}

/**
 * Builds the detail of an entry. Every occurrence of a secret in a header
 * value is replaced by REDACTED, so that no secret reaches the page. The
 * body is kept byte for byte.
 */
export function describeEntry(entry: Entry, options: DetailOptions): EntryDetail {
  const { capture } = entry;
  const headers = headerPairs(capture.headers, options.secrets);

  return {
    ...summarizeEntry(entry),
    method: capture.method,
    ...(capture.remote_address === undefined ? {} : { remote_address: capture.remote_address }),
    headers,
    ...(capture.body === undefined ? {} : { body: capture.body }),
    ...(capture.body_base64 === undefined ? {} : { body_base64: capture.body_base64 }),
    ...(capture.signature_header === undefined ? {} : { signature_header: capture.signature_header }),
    ...(capture.signature_form === undefined ? {} : { signature_form: capture.signature_form }),
    explanation: explainVerdict(capture, {
      secrets: options.secrets,
      ...(options.signaturePrefix === undefined ? {} : { prefix: options.signaturePrefix }),
    }),
    deliveries_detail: entry.deliveries.map(withoutBody),
    replay: replayInfo(entry, headers, options),
  };
}

function headerPairs(
  headers: Record<string, string | string[]>,
  secrets: readonly string[],
): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];

  for (const [name, value] of Object.entries(headers)) {
    for (const single of Array.isArray(value) ? value : [value]) {
      pairs.push([name, redact(String(single), secrets)]);
    }
  }
  return pairs;
}

function redact(value: string, secrets: readonly string[]): string {
  return secrets.reduce(
    (text, secret) => (secret === '' ? text : text.split(secret).join(REDACTED)),
    value,
  );
}

function withoutBody(delivery: DeliveryRecord): DeliveryView {
  const { body: _body, body_base64: _base64, ...rest } = delivery;
  return rest;
}

function replayInfo(entry: Entry, headers: Array<[string, string]>, options: DetailOptions): ReplayInfo {
  const { capture } = entry;
  const name = (capture.signature_header ?? '').toLowerCase();
  const captured = headers.find(([header]) => header === name);
  const body = decodeBody(capture);
  const secret = options.secrets[0];
  const freshHeader = (options.signatureHeader ?? SIGNATURE_HEADER).toLowerCase();
  const prefix = options.signaturePrefix ?? '';

  return {
    ...(capture.event_id === null || capture.type === null
      ? { unavailable: 'the body is not a PLLAY event: it has no "id" or no "type"' }
      : {}),
    ...(captured === undefined
      ? {}
      : { captured_signature: { header: captured[0], value: captured[1] } }),
    ...(secret === undefined || body === undefined
      ? {}
      : { fresh_signature: { header: freshHeader, value: `${prefix}${sign(body, secret)}` } }),
  };
}
