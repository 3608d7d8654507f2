export * from './catalog.js';
export * from './envelope.js';
export * from './generate.js';
export { EventTemplate, type TemplateEvent } from './template.js';
export { FIXTURES_DIR, loadFixture, type Fixture } from './fixtures.js';
export { parseSetArgument } from './overrides.js';
