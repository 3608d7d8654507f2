export * from './records.js';
export * from './writer.js';
export * from './reader.js';
