import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Contents of fixtures/<type>.json: one sample `data.object` per type. */
export interface Fixture {
  _meta: {
    version: number;
    type: string;
    /** Unix seconds at which the sample event happened; generation shifts times relative to it. */
    occurred_at: number;
  };
  object: Record<string, unknown>;
}

/** Folder of the fixture files, found relative to this module in src/ and in dist/. */
export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

const cache = new Map<string, Fixture>();

/** Loads the fixture of a known event type. The caller checks the type first. */
export function loadFixture(type: string): Fixture {
  const cached = cache.get(type);
  if (cached) {
    return cached;
  }

  const fixture = JSON.parse(readFileSync(`${FIXTURES_DIR}${type}.json`, 'utf8')) as Fixture;
  cache.set(type, fixture);
  return fixture;
}
