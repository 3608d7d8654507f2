export * from './detail.js';
export * from './entries.js';
export * from './explain.js';
export * from './history.js';
export * from './http.js';
export * from './inspector.js';
export * from './server.js';
