import { isEventType } from '../events/catalog.js';
import { loadFixture } from '../events/fixtures.js';
import { isPlainObject } from '../events/overrides.js';
import type { FindingCode } from './findings.js';

/** A changed copy of the body, the secret or the signature, and what the change undoes. */
export interface Variant<T> {
  value: T;
  codes: FindingCode[];
}

/**
 * Bodies that the signed bytes may have been before a usual change: a
 * newline added or removed, line endings converted, or JSON re-serialised
 * with other whitespace, escaping or key order. The body as given comes first.
 */
export function bodyVariants(body: Buffer): Array<Variant<Buffer>> {
  const text = body.toString('utf8');
  const variants: Array<Variant<string>> = [];

  if (/\r?\n$/.test(text)) {
    variants.push({ value: text.replace(/(\r?\n)+$/, ''), codes: ['body-trailing-newline'] });
  } else {
    variants.push({ value: `${text}\n`, codes: ['body-missing-newline'] });
  }
  if (text.includes('\r\n')) {
    variants.push({ value: text.replaceAll('\r\n', '\n'), codes: ['body-line-endings'] });
  }
  variants.push(...jsonVariants(text));

  return uniqueVariants([{ value: body, codes: [] }, ...variants.map(({ value, codes }) => ({ value: Buffer.from(value), codes }))]);
}

function jsonVariants(text: string): Array<Variant<string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }

  const minified = minifyJson(text);
  try {
    return reserialisedVariants(parsed, text, minified);
  } catch (error) {
    // A body nested too deeply for the call stack cannot be serialised again, so only its
    // whitespace can be tried.
    if (error instanceof RangeError) {
      return [{ value: minified, codes: ['body-whitespace'] }];
    }
    throw error;
  }
}

function reserialisedVariants(parsed: unknown, text: string, minified: string): Array<Variant<string>> {
  const compact = JSON.stringify(parsed);
  const reserialised: FindingCode[] = [
    ...(minified !== text.trim() ? (['body-whitespace'] as const) : []),
    ...(compact !== minified ? (['body-escaping'] as const) : []),
  ];

  const variants: Array<Variant<string>> = [
    { value: minified, codes: ['body-whitespace'] },
    { value: compact, codes: reserialised },
    { value: JSON.stringify(orderLikePllay(parsed)), codes: [...reserialised, 'body-key-order'] },
  ];
  for (const indent of [2, 4, '\t']) {
    variants.push({ value: JSON.stringify(parsed, null, indent), codes: ['body-whitespace', ...reserialised.filter((code) => code !== 'body-whitespace')] });
  }
  return variants;
}

/** Removes whitespace between JSON tokens and leaves the text of strings, escapes included, as it is. */
export function minifyJson(text: string): string {
  let result = '';
  let inString = false;
  let escaped = false;

  for (const character of text) {
    if (inString) {
      result += character;
      if (escaped) {
        escaped = false;
      } else if (character === '\\') {
        escaped = true;
      } else if (character === '"') {
        inString = false;
      }
    } else if (character === '"') {
      inString = true;
      result += character;
    } else if (!/\s/.test(character)) {
      result += character;
    }
  }
  return result;
}

const ENVELOPE_ORDER = { id: null, type: null, created: null, data: { object: null } };

/**
 * Puts the keys in the order that PLLAY writes them: the envelope's order,
 * then the fixture's order for `data.object` of a known type. Keys that the
 * template lacks keep their order after the known ones. This is a guess for
 * bodies whose keys were sorted, for example by a Go map or by sort_keys.
 */
export function orderLikePllay(value: unknown): unknown {
  if (!isPlainObject(value)) {
    return value;
  }

  const type = typeof value.type === 'string' && isEventType(value.type) ? value.type : undefined;
  const template = { ...ENVELOPE_ORDER, data: { object: type ? loadFixture(type).object : null } };
  return orderKeys(value, template);
}

function orderKeys(value: unknown, template: unknown): unknown {
  if (Array.isArray(value)) {
    const itemTemplate = Array.isArray(template) ? template[0] : undefined;
    return value.map((item) => orderKeys(item, itemTemplate));
  }
  if (!isPlainObject(value)) {
    return value;
  }

  const known = isPlainObject(template) ? Object.keys(template).filter((key) => key in value) : [];
  const rest = Object.keys(value).filter((key) => !known.includes(key));
  const ordered: Record<string, unknown> = {};
  for (const key of [...known, ...rest]) {
    ordered[key] = orderKeys(value[key], isPlainObject(template) ? template[key] : undefined);
  }
  return ordered;
}

/** Returns the secret as given, trimmed, and followed by a newline. */
export function secretVariants(secret: string): Array<Variant<string>> {
  const variants: Array<Variant<string>> = [{ value: secret, codes: [] }];
  if (secret.trim() !== secret && secret.trim() !== '') {
    variants.push({ value: secret.trim(), codes: ['secret-whitespace'] });
  }
  if (!secret.endsWith('\n')) {
    variants.push({ value: `${secret}\n`, codes: ['secret-missing-newline'] });
  }
  return variants;
}

/**
 * Undoes the usual changes to a signature value, in order: whitespace
 * around it, the prefix (missing, in another letter case, or `sha256=` when
 * none is expected) and upper case. Returns the hex digest that remains
 * and what was undone.
 */
export function normaliseSignature(signature: string, prefix: string): Variant<string> {
  const codes: FindingCode[] = [];
  let value = signature;

  if (value.trim() !== value) {
    value = value.trim();
    codes.push('signature-whitespace');
  }

  if (prefix !== '') {
    if (value.startsWith(prefix)) {
      value = value.slice(prefix.length);
    } else if (value.toLowerCase().startsWith(prefix.toLowerCase())) {
      value = value.slice(prefix.length);
      codes.push('signature-prefix-case');
    } else {
      codes.push('signature-missing-prefix');
    }
  } else if (value.toLowerCase().startsWith('sha256=')) {
    value = value.slice('sha256='.length);
    codes.push('signature-prefix');
  }

  if (value !== value.toLowerCase()) {
    value = value.toLowerCase();
    codes.push('signature-case');
  }
  return { value, codes };
}

function uniqueVariants<T extends Buffer | string>(variants: Array<Variant<T>>): Array<Variant<T>> {
  const seen = new Set<string>();
  return variants.filter((variant) => {
    const key = typeof variant.value === 'string' ? variant.value : variant.value.toString('base64');
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
