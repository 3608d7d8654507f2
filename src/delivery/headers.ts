import { UsageError } from '../errors.js';
import { SIGNATURE_HEADER, sign } from '../signature/index.js';
import { VERSION } from '../version.js';

export const USER_AGENT = `pllay-hooks/${VERSION}`;

/** Headers that pllay-hooks sets itself and a user header may not replace. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set(['content-length', 'host', 'transfer-encoding', 'connection']);

/** A valid HTTP header name (an RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Parses a `--header "name: value"` argument. Rejects a value with a control
 * character, such as a line break, which could split the request.
 */
export function parseHeaderArgument(argument: string): [string, string] {
  const colon = argument.indexOf(':');
  const name = colon > 0 ? argument.slice(0, colon).trim() : '';

  if (!HEADER_NAME.test(name)) {
    throw new UsageError(
      'E_HEADER_SYNTAX',
      `invalid --header "${argument}": expected "name: value" with a valid header name`,
      'for example: --header "x-request-source: ci"',
    );
  }
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    throw new UsageError(
      'E_HEADER_RESERVED',
      `invalid --header "${argument}": ${name} is set by pllay-hooks and cannot be overridden`,
      'leave it out: pllay-hooks sets content-length, host, transfer-encoding and connection itself',
    );
  }

  const value = argument.slice(colon + 1).trim();
  if (CONTROL_CHARACTER.test(value)) {
    throw new UsageError(
      'E_HEADER_VALUE',
      `invalid --header ${JSON.stringify(argument)}: the value contains a control character such as a line break`,
      'put the value on one line without control characters, for example: --header "x-request-source: ci"',
    );
  }
  return [name.toLowerCase(), value];
}

/**
 * Throws E_HEADER_RESERVED when `--header` names the header that carries the signature, which
 * pllay-hooks computes from the body. `signatureHeader` is the name in use, compared without case.
 */
export function rejectSignatureHeader(headers: Record<string, string>, signatureHeader: string): void {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === signatureHeader.toLowerCase());
  if (name === undefined) {
    return;
  }

  throw new UsageError(
    'E_HEADER_RESERVED',
    `invalid --header "${name}: ${headers[name]}": ${name} carries the signature that pllay-hooks computes from the body`,
    'leave it out; to send a wrong signature, sign with another --secret, or move the signature with --signature-header',
  );
}

export interface SignedHeadersOptions {
  body: Uint8Array | string;
  secret: string;
  /** Header that carries the signature; `pllay-signature` by default. */
  signatureHeader?: string;
  /** Text put before the hex digest, such as `sha256=`; none by default. */
  signaturePrefix?: string;
  extra?: Record<string, string>;
}

/** Builds the headers of one delivery, signature included. Extra headers come last and win. */
export function buildSignedHeaders(options: SignedHeadersOptions): Record<string, string> {
  const name = (options.signatureHeader ?? SIGNATURE_HEADER).toLowerCase();

  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    [name]: `${options.signaturePrefix ?? ''}${sign(options.body, options.secret)}`,
    ...options.extra,
  };
}
