export * from './sign.js';
export * from './verify.js';
