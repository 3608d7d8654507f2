export * from './records.js';
export * from './writer.js';
export * from './reader.js';
export * from './new-file.js';
