export * from './server.js';
export * from './signature-header.js';
export * from './forward.js';
