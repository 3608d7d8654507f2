import * as z from 'zod';

import { HEADER_NAME, RESERVED_HEADERS } from '../delivery/headers.js';
import { isTarget } from '../delivery/target.js';
import { editDistance, EVENT_TYPE_NAMES, isEventType, suggestEventType } from '../events/catalog.js';
import { isPlainObject, splitSetPath } from '../events/overrides.js';
import { MAX_DURATION_MS, parseByteSizeText, parseDurationText } from '../units.js';
import type { ConfigFile } from './types.js';

// Every message completes the sentence "<key> is <value>: …", so it names what is allowed.

const TARGET_EXPECTED = 'expected a URL such as http://localhost:3000/webhooks/pllay, or host:port such as localhost:3000';
const PORT_EXPECTED = 'expected a port from 0 to 65535';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Builds an error option that words a wrong type only, so that each key and value keeps its own message. */
function wrongType(message: string): { error: (issue: z.core.$ZodRawIssue) => string | undefined } {
  return { error: (issue) => (issue.code === 'invalid_type' ? message : undefined) };
}

/** Marks an issue about a key itself, such as an unknown event type, rather than about its value. */
export const KEY_ISSUE = { about: 'key' } as const;

function text(what: string): z.ZodString {
  return z.string({ error: `expected ${what}` }).min(1, `expected ${what}, not an empty string`);
}

const target = text('a URL or host:port').refine(isTarget, TARGET_EXPECTED);

/** A target in a config file, where a bare port such as 3000 may also be written as a number. */
const fileTarget = z.union([z.int().min(1).max(65535).transform(String), target], {
  error: 'expected a port from 1 to 65535, a URL such as http://localhost:3000/webhooks/pllay, or host:port',
});

const urlPath = z.string({ error: 'expected a path such as /webhooks/pllay' }).regex(/^\/\S*$/, 'expected a path that starts with /, such as /webhooks/pllay');

const secretValue = text('a secret');

const secret = z.union([secretValue, z.array(secretValue).min(1, 'expected at least one secret')], {
  error: 'expected a secret, or a list of secrets for rotation',
});

const secretEnv = z.string({ error: 'expected an environment variable name such as PLLAY_WEBHOOK_SECRET' })
  .regex(ENV_NAME, 'expected an environment variable name such as PLLAY_WEBHOOK_SECRET');

const headerName = z.string().regex(HEADER_NAME, 'expected a header name such as x-pllay-signature');

// eslint-disable-next-line no-control-regex
const noControlCharacters = /^[^\u0000-\u001f\u007f]*$/;

const signaturePrefix = z.string({ error: 'expected text such as sha256=, or "" for none' })
  .regex(noControlCharacters, 'expected text without control characters, such as sha256=');

// Names are checked by the record's key schema, not by a refinement of the whole record. A
// refinement runs only when every value is valid, so it would hide a bad name behind a bad value.
const headerKey = z.string().superRefine((name, context) => {
  const problem = !HEADER_NAME.test(name)
    ? 'expected a header name such as x-request-source'
    : RESERVED_HEADERS.has(name.toLowerCase())
      ? `expected a header that pllay-hooks does not set itself (${[...RESERVED_HEADERS].join(', ')} are reserved)`
      : undefined;
  if (problem !== undefined) {
    context.addIssue({ code: 'custom', input: name, message: problem });
  }
});

const headers = z.record(
  headerKey,
  z.string({ error: 'expected the header value as a string' }).regex(noControlCharacters, 'expected a header value without control characters'),
  wrongType('expected an object of header names and values, such as { "x-request-source": "ci" }'),
);

/** Builds the schema of a duration: milliseconds as a number, or a string with a unit such as `500ms`, `10s` or `1m`. */
function duration(min: number): z.ZodType<number, number | string> {
  const expected = `expected a duration of at least ${min} ms: milliseconds, or a string such as 500ms, 10s or 1m`;
  return z.union([z.number(), z.string()], { error: expected }).transform((value, context) => {
    const ms = typeof value === 'number' ? value : parseDurationText(value, undefined);
    if (ms === undefined || !Number.isInteger(ms) || ms < min || ms > MAX_DURATION_MS) {
      context.addIssue({ code: 'custom', message: ms !== undefined && ms > MAX_DURATION_MS ? 'expected a duration of at most 596h' : expected, input: value });
      return z.NEVER;
    }
    return ms;
  });
}

/** Schema of a size: bytes as a number, or a string such as `512kb` or `2mb`. */
const byteSize = z.union([z.number(), z.string()]).transform((value, context) => {
  const bytes = typeof value === 'number' ? value : parseByteSizeText(value);
  if (bytes === undefined || !Number.isInteger(bytes) || bytes < 1) {
    context.addIssue({ code: 'custom', message: 'expected a size in bytes, or a string such as 512kb or 2mb', input: value });
    return z.NEVER;
  }
  return bytes;
});

const port = z.int({ error: PORT_EXPECTED }).min(0, PORT_EXPECTED).max(65535, PORT_EXPECTED);

/** Builds an object schema that accepts only the listed keys and names the nearest one for a misspelt key. */
function section<Shape extends z.ZodRawShape>(shape: Shape, example: string): z.ZodObject<Shape, z.core.$strict> {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeys(issue.keys, allowed) : `expected an object such as ${example}`),
  });
}

function unknownKeys(keys: readonly string[], allowed: readonly string[]): string {
  const described = keys.map((key) => {
    const nearest = nearestWord(key, allowed);
    return `"${key}"${nearest ? ` (did you mean "${nearest}"?)` : ''}`;
  });
  return `unknown key${keys.length === 1 ? '' : 's'} ${described.join(', ')}; expected one of: ${allowed.join(', ')}`;
}

function nearestWord(word: string, candidates: readonly string[]): string | undefined {
  const ranked = candidates
    .map((candidate) => ({ candidate, distance: editDistance(word.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  return best && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.candidate : undefined;
}

const setPaths = z.record(z.string(), z.unknown(), wrongType('expected an object of dotted paths and values'))
  .superRefine((value, context) => {
    for (const path of Object.keys(value)) {
      if (splitSetPath(path) === undefined) {
        context.addIssue({
          code: 'custom',
          path: [path],
          input: path,
          params: KEY_ISSUE,
          message: 'expected a dotted path such as data.object.amount, without empty keys, __proto__, prototype or constructor',
        });
      }
    }
  });

const eventOverride = section(
  {
    data: z.record(z.string(), z.unknown(), wrongType('expected an object to merge over data.object'))
      .refine(isPlainObject, 'expected an object to merge over data.object')
      .optional(),
    set: setPaths.optional(),
  },
  '{ "data": { "amount": 5000 } }',
);

const events = z.record(z.string(), eventOverride, wrongType('expected an object keyed by event type'))
  .superRefine((value, context) => {
    for (const type of Object.keys(value)) {
      if (!isEventType(type)) {
        const suggestion = suggestEventType(type);
        context.addIssue({
          code: 'custom',
          path: [type],
          input: type,
          params: KEY_ISSUE,
          message: `unknown event type${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected one of: ${EVENT_TYPE_NAMES.join(', ')}`,
        });
      }
    }
  });

/** Schemas of the keys that the top level and each profile may set. */
const settingsShape = {
  target: fileTarget.optional(),
  path: urlPath.optional(),
  secret: secret.optional(),
  secretEnv: secretEnv.optional(),
  signature: section(
    { header: headerName.optional(), prefix: signaturePrefix.optional() },
    '{ "header": "x-pllay-signature", "prefix": "sha256=" }',
  ).optional(),
  headers: headers.optional(),
  timeout: duration(1).optional(),
  listen: section(
    {
      host: text('a host name or address such as 127.0.0.1').optional(),
      port: port.optional(),
      log: text('a file path').optional(),
      forwardTo: fileTarget.optional(),
      maxBody: byteSize.optional(),
      headersTimeout: duration(1).optional(),
      requestTimeout: duration(1).optional(),
      ui: z.boolean({ error: 'expected true or false' }).optional(),
      uiPort: port.optional(),
    },
    '{ "port": 7575 }',
  ).optional(),
  replay: section(
    {
      maxAttempts: z.int({ error: 'expected a whole number from 1 to 100' }).min(1, 'expected a whole number from 1 to 100').max(100, 'expected a whole number from 1 to 100').optional(),
      backoff: z.enum(['exponential', 'linear', 'constant'], { error: 'expected exponential, linear or constant' }).optional(),
      initialDelay: duration(0).optional(),
      maxDelay: duration(0).optional(),
      factor: z.number({ error: 'expected a number of at least 1' }).min(1, 'expected a number of at least 1').optional(),
      jitter: z.enum(['none', 'full', 'equal'], { error: 'expected none, full or equal' }).optional(),
    },
    '{ "maxAttempts": 5, "backoff": "exponential", "initialDelay": "500ms", "maxDelay": "30s" }',
  ).optional(),
  events: events.optional(),
};

const settingsSchema = section(settingsShape, '{ "target": "localhost:3000" }');

export const configFileSchema = section(
  {
    ...settingsShape,
    profiles: z.record(text('a profile name'), settingsSchema, wrongType('expected an object of named profiles')).optional(),
  },
  '{ "target": "localhost:3000" }',
);

/** A config file after validation: durations in milliseconds, sizes in bytes. */
export type ParsedConfig = z.output<typeof configFileSchema>;
export type ParsedSettings = z.output<typeof settingsSchema>;

// Fails to compile when the documented ConfigFile type and the schema stop accepting the same objects.
type SchemaInput = z.input<typeof configFileSchema>;
true satisfies (ConfigFile extends SchemaInput ? (SchemaInput extends ConfigFile ? true : false) : false);

/** Parsers of the environment variables, which take the same text as the matching flags. */
export const envSchemas = {
  target: target,
  'signature.header': headerName,
  'signature.prefix': signaturePrefix,
  timeout: z.string().transform((value, context) => {
    const ms = parseDurationText(value, 's');
    if (ms === undefined || ms < 1 || ms > MAX_DURATION_MS) {
      context.addIssue({ code: 'custom', message: 'expected a duration from 1ms to 596h, such as 500ms, 10s or 1m', input: value });
      return z.NEVER;
    }
    return ms;
  }),
  'listen.host': text('a host name or address such as 127.0.0.1'),
  'listen.port': z.string().regex(/^\d+$/, PORT_EXPECTED).transform(Number).pipe(port),
  'listen.log': text('a file path'),
  'listen.forwardTo': target,
} as const;
