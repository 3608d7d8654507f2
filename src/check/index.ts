export { CHECKS } from './checks.js';
export { describeExchange } from './judge.js';
export { escapeXmlAttribute, escapeXmlText, toJUnitXml } from './junit.js';
export { PRACTICES, practiceById } from './practices.js';
export {
  DEFAULT_CHECK_CONCURRENCY,
  DEFAULT_MAX_LATENCY_MS,
  MIN_REQUEST_TIMEOUT_MS,
  parseCheckTypes,
  runChecks,
  summarize,
  type CheckRunOptions,
} from './run.js';
export { LARGE_BODY_BYTES, UNKNOWN_EVENT_TYPE } from './requests.js';
export type * from './types.js';
