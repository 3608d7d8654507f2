import type { CaptureRecord } from '../log/index.js';
import {
  parseSignatureValue,
  PREFIXED_SIGNATURE_HEADER,
  SIGNATURE_HEADER,
} from '../signature/index.js';

/**
 * Explains a capture record's signature verdict in sentences: what was
 * checked, what was found, and what usually causes it. The verdict is the
 * one that listen reached when the request arrived, with the secrets it had
 * then.
 *
 * TODO: add the likely cause of a mismatch (a re-serialised body, a changed
 * newline, another secret) once a diagnosis of signatures is in the core
 * for the inspector to call.
 */
export function explainVerdict(record: CaptureRecord): string[] {
  const header = record.signature_header ?? SIGNATURE_HEADER;

  switch (record.signature) {
    case 'valid':
      return explainValid(record, header);
    case 'missing':
      return [
        `No ${SIGNATURE_HEADER} header (nor ${PREFIXED_SIGNATURE_HEADER}) arrived with the request.`,
        'PLLAY signs every event, so this request came from elsewhere, or a proxy on the way dropped the header.',
      ];
    case 'unchecked':
      return [
        'listen had no secret, so the signature was not checked.',
        'Start listen with --secret, or set PLLAY_WEBHOOK_SECRET, to verify each request.',
      ];
    case 'invalid':
      return explainInvalid(record, header);
  }
}

function explainValid(record: CaptureRecord, header: string): string[] {
  const lines = [
    `The ${header} header is the HMAC-SHA256 of the body bytes under the secret, so the body arrived as it was signed.`,
  ];

  if (record.signature_form === 'sha256-prefixed') {
    lines.push('It arrived in the prefixed form sha256=<hex>; PLLAY itself sends the bare hex digest.');
  }
  if (record.secret_fingerprint !== undefined) {
    lines.push(`It matched the secret with fingerprint ${record.secret_fingerprint}.`);
  }
  return lines;
}

function explainInvalid(record: CaptureRecord, header: string): string[] {
  const value = record.headers[header.toLowerCase()];
  const reason = record.signature_reason ?? 'the signature does not match';

  if (Array.isArray(value)) {
    return [
      `The ${header} header arrived ${value.length} times; a request carries exactly one signature.`,
      'Something on the way, such as a proxy or a client library, added the header a second time.',
    ];
  }

  const parsed = typeof value === 'string' ? parseSignatureValue(value) : undefined;
  if (parsed !== undefined && 'error' in parsed) {
    return [
      `The ${header} header is malformed: ${parsed.error}.`,
      'PLLAY sends 64 lowercase hexadecimal characters: the HMAC-SHA256 digest of the body.',
    ];
  }

  return [
    `The ${header} header is a well-formed digest, but not the HMAC-SHA256 of these body bytes under the secret (${reason}).`,
    'Either the body changed after it was signed (JSON parsed and serialised again, a newline added or removed, ' +
      'another character encoding), or the sender signed with another secret than the one listen verifies with.',
  ];
}
