export * from './deliver.js';
export * from './headers.js';
export { createDispatcher, type TlsOptions } from './http.js';
export * from './outcome.js';
export * from './pool.js';
export * from './send.js';
export * from './target.js';
