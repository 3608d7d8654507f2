import { isUtf8 } from 'node:buffer';

import type { SignatureForm, SignatureVerdict } from '../signature/index.js';

/** Fields shared by every NDJSON log record. */
interface BaseRecord {
  /** `capture` for a request that `listen` received, `delivery` for one that pllay-hooks sent. */
  kind: 'capture' | 'delivery';
  event_id: string | null;
  type: string | null;
  /** Raw body as a string; absent when `body_base64` contains bytes that are not UTF-8. */
  body?: string;
  body_base64?: string;
  signature: SignatureVerdict;
  signature_reason?: string;
}

export interface CaptureRecord extends BaseRecord {
  kind: 'capture';
  received_at: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  size: number;
  /** Header name and form in which the signature arrived. */
  signature_header?: string;
  signature_form?: SignatureForm;
  /** Fingerprint of the secret that matched, when there are several. */
  secret_fingerprint?: string;
  remote_address?: string;
}

export interface AttemptRecord {
  at: string;
  status?: number;
  error?: string;
  error_code?: string;
  duration_ms: number;
  response?: string;
  location?: string;
}

export interface DeliveryRecord extends BaseRecord {
  kind: 'delivery';
  target: string;
  ok: boolean;
  attempts: AttemptRecord[];
  /** What sent it: `send`, `forward` or `replay`. */
  source: string;
}

export type LogRecord = CaptureRecord | DeliveryRecord;

/** Returns the fields that store a body: `body` when it is valid UTF-8, else `body_base64`. */
export function encodeBody(bytes: Uint8Array): { body: string } | { body_base64: string } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  if (isUtf8(buffer)) {
    return { body: buffer.toString('utf8') };
  }
  return { body_base64: buffer.toString('base64') };
}

/** Returns the exact body bytes stored in a record, or undefined when it has none. */
export function decodeBody(record: { body?: unknown; body_base64?: unknown }): Buffer | undefined {
  if (typeof record.body_base64 === 'string') {
    return Buffer.from(record.body_base64, 'base64');
  }
  if (typeof record.body === 'string') {
    return Buffer.from(record.body, 'utf8');
  }
  return undefined;
}
