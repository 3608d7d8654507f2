export * from './catalog.js';
export * from './envelope.js';
export * from './generate.js';
export { FIXTURES_DIR, loadFixture, type Fixture } from './fixtures.js';
export { parseSetArgument } from './overrides.js';
