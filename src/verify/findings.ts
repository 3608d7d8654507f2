/** A known reason for a signature not to match, found by trying it. */
export type FindingCode =
  | 'body-whitespace'
  | 'body-key-order'
  | 'body-escaping'
  | 'body-trailing-newline'
  | 'body-missing-newline'
  | 'body-line-endings'
  | 'secret-whitespace'
  | 'secret-missing-newline'
  | 'secret-not-first'
  | 'signature-whitespace'
  | 'signature-prefix'
  | 'signature-missing-prefix'
  | 'signature-prefix-case'
  | 'signature-case'
  | 'signature-truncated';

export interface Finding {
  code: FindingCode;
  /** Difference from the bytes, secret or value that were signed. */
  explanation: string;
  /** Change to make in the receiving code. */
  fix: string;
}

/** Details that some explanations quote. */
export interface FindingContext {
  prefix: string;
  signatureLength: number;
  secretIndex: number;
  secretCount: number;
  secretFingerprint: string;
  /** True when the body contains `\u` or `\/` escapes, which a re-serialiser writes differently. */
  bodyHasEscapes: boolean;
}

const RAW_BODY_FIX =
  'verify the raw request body, byte for byte, before parsing it (for example express.raw() in place of ' +
  'express.json()); never re-serialise a parsed body to check its signature';

const EXACT_BYTES_FIX = 'verify the exact bytes that were received, without trimming or adding anything';

/** Describes a finding in plain words, with the fix. */
export function describeFinding(code: FindingCode, context: FindingContext): Finding {
  const [explanation, fix] = DESCRIPTIONS[code](context);
  return { code, explanation, fix };
}

const DESCRIPTIONS: Record<FindingCode, (context: FindingContext) => [string, string]> = {
  'body-whitespace': () => [
    'the body was re-serialised after parsing: its spaces, indentation or line breaks differ from the signed bytes',
    RAW_BODY_FIX,
  ],
  'body-key-order': () => ['the body was re-serialised after parsing: its keys are in another order than in the signed bytes', RAW_BODY_FIX],
  'body-escaping': (context) => [
    context.bodyHasEscapes
      ? 'the body was re-serialised after parsing: characters are escaped differently (such as \\u00e9 for é, or \\/ for /)'
      : 'the body was re-serialised after parsing: numbers or characters are written differently from the signed bytes',
    RAW_BODY_FIX,
  ],
  'body-trailing-newline': () => [
    'the body ends with a line break that was not signed (an editor, echo or a logger adds one)',
    `${EXACT_BYTES_FIX}; to save a body to a file, write it without a newline, such as printf '%s'`,
  ],
  'body-missing-newline': () => ['the signed body ended with a line break that this body lacks: something trimmed it', EXACT_BYTES_FIX],
  'body-line-endings': () => [
    'the body\'s line breaks were changed to CRLF (\\r\\n), as an editor or git\'s autocrlf does on Windows',
    EXACT_BYTES_FIX,
  ],
  'secret-whitespace': () => [
    'the secret starts or ends with whitespace or a line break; the signature matches the secret without it',
    'trim the secret where it is loaded: a .env line or a file that holds the secret often ends with a newline',
  ],
  'secret-missing-newline': () => [
    'the signature matches the secret followed by a line break: the sender read its secret from a file that ends with a newline',
    'remove the line break from the secret the sender uses',
  ],
  'secret-not-first': (context) => [
    `the signature matches secret ${context.secretIndex + 1} of ${context.secretCount} (${context.secretFingerprint}), not the first one`,
    'during a secret rotation, check the signature against each current secret in turn',
  ],
  'signature-whitespace': () => ['the signature value has whitespace or a line break around it', 'trim the header value before comparing'],
  'signature-prefix': () => [
    'the signature value starts with sha256=, and the hex digest follows it',
    'strip the sha256= prefix before comparing, or expect it: --signature-prefix sha256= or "signature": { "prefix": "sha256=" }',
  ],
  'signature-missing-prefix': (context) => [
    `the signature value lacks the "${context.prefix}" prefix that the settings expect`,
    'send the prefix, or remove signature.prefix from the settings',
  ],
  'signature-prefix-case': (context) => [
    `the signature value starts with the expected "${context.prefix}" prefix in another letter case`,
    `send the prefix exactly as "${context.prefix}", or compare the prefix without regard to case`,
  ],
  'signature-case': () => [
    'the signature is in upper case; the signed value is lower-case hex',
    'compare the hex digests without regard to case, or lowercase the received value',
  ],
  'signature-truncated': (context) => [
    `the signature is cut short: its ${context.signatureLength} characters are the start of the 64 of the right one`,
    'pass the whole header value; a log line or a column limit may have cut it',
  ],
};
