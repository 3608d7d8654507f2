import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { SECTIONS } from './cases.js';
import { DOC_PATH } from './suite.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('reliability doc', () => {
  // While the doc is rewritten, the sections appear one file at a time.
  it.skipIf(process.env.UPDATE_RELIABILITY_DOC === '1')('has every section in order', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    const markers = [...doc.matchAll(/<!-- cases: ([\w-]+) -->/g)].map((match) => match[1]);

    expect(markers).toEqual(SECTIONS.map((section) => section.id));
  });

  it('names test files that exist', () => {
    const files = SECTIONS.map((section) => section.file);
    const onDisk = readdirSync(new URL('./', import.meta.url))
      .filter((name) => name.endsWith('.test.ts') && name !== 'doc.test.ts')
      .map((name) => `test/reliability/${name}`);

    expect(files.filter((file) => !existsSync(`${ROOT}${file}`))).toEqual([]);
    expect(onDisk.sort()).toEqual([...new Set(files)].sort());
  });

  it('gives every case a unique id', () => {
    for (const section of SECTIONS) {
      const ids = section.cases.map((row) => row.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
