export * from './diagnose.js';
export type { Finding, FindingCode } from './findings.js';
