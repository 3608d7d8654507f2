import { eventOptions } from './config/events.js';
import type { ConfigFile } from './config/types.js';
import { buildSignedHeaders } from './delivery/headers.js';
import type { EventType } from './events/catalog.js';
import { generateEvent, type GeneratedEvent } from './events/generate.js';

/** Changes to a generated event. The envelope keeps its shape; fields are replaced or added. */
export interface EventOverrides {
  /** Envelope id; a fresh `evt_…` id when absent. */
  id?: string;
  /** Envelope `created` in unix seconds; now when absent. */
  created?: number;
  /** Object merged over `data.object`. */
  data?: Record<string, unknown>;
  /** Dotted paths into the envelope and their values, applied last: `{ 'data.object.amount': 5000 }`. */
  set?: Record<string, unknown>;
}

/**
 * Generates a realistic event of a type, with fresh ids and timestamps.
 * `body` is the exact JSON text to sign and send.
 */
export function createEvent(type: EventType, overrides: EventOverrides = {}): GeneratedEvent {
  const { data, set, id, created } = overrides;
  return generateEvent(
    eventOptions(
      type,
      { ...(data ? { data } : {}), ...(set ? { set } : {}) },
      { ...(id === undefined ? {} : { id }), ...(created === undefined ? {} : { created }) },
    ),
  );
}

export interface DeliveryOptions extends EventOverrides {
  secret: string;
  /** Header that carries the signature; `pllay-signature` by default. */
  signatureHeader?: string;
  /** Text before the hex digest, such as `sha256=`; none by default. */
  signaturePrefix?: string;
  /** Extra request headers, which come last and win. */
  headers?: Record<string, string>;
}

/** A signed request as `send` would deliver it: POST these headers and this exact body. */
export interface SignedDelivery extends GeneratedEvent {
  headers: Record<string, string>;
}

/** Generates an event of a type and signs it, ready to POST to a webhook endpoint under test. */
export function createDelivery(type: EventType, options: DeliveryOptions): SignedDelivery {
  const { secret, signatureHeader, signaturePrefix, headers, ...overrides } = options;
  const event = createEvent(type, overrides);

  return {
    ...event,
    headers: buildSignedHeaders({
      body: event.body,
      secret,
      ...(signatureHeader === undefined ? {} : { signatureHeader }),
      ...(signaturePrefix === undefined ? {} : { signaturePrefix }),
      ...(headers === undefined ? {} : { extra: headers }),
    }),
  };
}

/** Returns its argument, so that a config file in JavaScript or TypeScript gets its keys checked. */
export function defineConfig(config: ConfigFile): ConfigFile {
  return config;
}
