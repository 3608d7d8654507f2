import { decodeBody, type CaptureRecord } from '../log/index.js';
import {
  parseSignatureValue,
  PREFIXED_SIGNATURE_HEADER,
  SIGNATURE_HEADER,
} from '../signature/index.js';
import { diagnoseSignature, type Diagnosis } from '../verify/index.js';

/** Secrets and signature format that listen verifies with now. */
export interface ExplainOptions {
  secrets: readonly string[];
  /** Text that listen accepts before the hex digest, besides sha256=. */
  prefix?: string;
}

/**
 * Explains a capture record's signature verdict in sentences: what was
 * checked, what was found, and what usually causes it. The verdict is the
 * one that listen reached when the request arrived. For an invalid
 * signature, the diagnosis of `pllay-hooks verify` runs with the current
 * secrets and names the likely cause and its fix.
 */
export function explainVerdict(record: CaptureRecord, options: ExplainOptions = { secrets: [] }): string[] {
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
      return explainInvalid(record, header, options);
  }
}

function explainValid(record: CaptureRecord, header: string): string[] {
  const lines = [
    `The ${header} header is the HMAC-SHA256 of the body bytes under the secret, so the body arrived as it was signed.`,
  ];

  if (record.signature_form === 'sha256-prefixed') {
    lines.push('It arrived in the prefixed form sha256=<hex>; PLLAY itself sends the bare hex digest.');
  } else if (record.signature_form === 'prefixed') {
    lines.push('It arrived with the prefix that listen was configured to accept.');
  }
  if (record.secret_fingerprint !== undefined) {
    lines.push(`It matched the secret with fingerprint ${record.secret_fingerprint}.`);
  }
  return lines;
}

function explainInvalid(record: CaptureRecord, header: string, options: ExplainOptions): string[] {
  const value = record.headers[header.toLowerCase()];
  if (Array.isArray(value)) {
    return [
      `The ${header} header arrived ${value.length} times; a request carries exactly one signature.`,
      'Something on the way, such as a proxy or a client library, added the header a second time.',
    ];
  }
  if (typeof value !== 'string') {
    return [`The signature is invalid: ${record.signature_reason ?? 'no reason was logged'}.`];
  }

  const parsed = parseSignatureValue(value, options.prefix);
  const lines =
    'error' in parsed
      ? [
          `The ${header} header is malformed: ${parsed.error}.`,
          'PLLAY sends 64 lowercase hexadecimal characters: the HMAC-SHA256 digest of the body.',
        ]
      : [
          `The ${header} header is a well-formed digest, but not the HMAC-SHA256 of these body bytes under the secret.`,
          'Either the body changed after it was signed (JSON parsed and serialised again, a newline added or removed, ' +
            'another character encoding), or the sender signed with another secret than the one listen verifies with.',
        ];
  return [...lines, ...diagnosisLines(record, value, options)];
}

/** Runs the diagnosis of `verify` on the captured body and signature, and words its result. */
function diagnosisLines(record: CaptureRecord, signature: string, options: ExplainOptions): string[] {
  const body = decodeBody(record);
  if (body === undefined || options.secrets.length === 0) {
    return [];
  }

  const diagnosis: Diagnosis = diagnoseSignature({
    body,
    signature,
    secrets: options.secrets,
    ...(options.prefix ? { prefix: options.prefix } : {}),
  });
  if (diagnosis.valid) {
    return ['It matches under the secrets that listen has now, so listen had other secrets when the request arrived.'];
  }
  if (!diagnosis.explained) {
    return [
      `No usual cause explains it. Under the first secret, these body bytes would carry ${diagnosis.expected}.`,
    ];
  }

  const changes = diagnosis.findings.length === 1 ? 'this change' : 'these changes';
  return [
    `Likely cause: with ${changes}, it matches under the secret with fingerprint ${diagnosis.secretFingerprint}.`,
    ...diagnosis.findings.map((finding) => `${capitalize(finding.explanation)}. Fix: ${finding.fix}.`),
  ];
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
