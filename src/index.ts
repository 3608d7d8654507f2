/**
 * Programmatic API of pllay-hooks: generate realistic PLLAY events, sign
 * them, verify signatures and build the headers of a delivery, for use in
 * an application's own tests.
 */
export * from './events/index.js';
export * from './signature/index.js';
export { buildSignedHeaders, type SignedHeadersOptions } from './delivery/headers.js';
export { VERSION } from './version.js';
