// The programmatic API of pllay-hooks, for signed test events in your own test suites.

export { createDelivery, createEvent, defineConfig } from './api.js';
export type { DeliveryOptions, EventOverrides, SignedDelivery } from './api.js';

export { EVENT_GROUP_TITLES, EVENT_TYPE_NAMES, EVENT_TYPES, isEventType } from './events/catalog.js';
export type { EventGroup, EventType, EventTypeInfo } from './events/catalog.js';
export type { Envelope } from './events/envelope.js';
export { generateEvent } from './events/generate.js';
export type { GenerateOptions, GeneratedEvent } from './events/generate.js';

export {
  fingerprint,
  PREFIXED_SIGNATURE_HEADER,
  sign,
  SIGNATURE_HEADER,
  SIGNATURE_PREFIX,
  verify,
} from './signature/index.js';
export type { SignatureForm, SignatureVerdict, VerifyOptions, VerifyResult } from './signature/index.js';
export { diagnoseSignature } from './verify/index.js';
export type { DiagnoseOptions, Diagnosis, Finding, FindingCode } from './verify/index.js';

export { buildSignedHeaders } from './delivery/headers.js';
export type { SignedHeadersOptions } from './delivery/headers.js';
export { DEFAULT_WEBHOOK_PATH, normalizeTarget } from './delivery/target.js';

export type { ConfigFile, ConfigSettings, EventOverride } from './config/types.js';
export { ConfigError, ExitCode, InputFileError, PllayError, UsageError } from './errors.js';
export { VERSION } from './version.js';
