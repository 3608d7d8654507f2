import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

import { SECTIONS, type ReliabilitySection } from './cases.js';

export const DOC_PATH = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url));

/** Set to 1 to rewrite the sections of docs/reliability.md from the results instead of comparing. */
const UPDATE = process.env.UPDATE_RELIABILITY_DOC === '1';

const NOT_PASSED = 'not passed';

export interface SectionRun {
  /**
   * Registers the test of one case. `run` returns what it observed, in a
   * short text that is the same on every run, for the doc's result column.
   */
  test(id: string, run: () => Promise<string>, timeoutMs?: number): void;
  /** Registers the last test of the file: the doc's section must show these cases and results. */
  checkDoc(): void;
}

/** Starts the tests of a section of the case table. */
export function reliabilitySection(id: string): SectionRun {
  const section = findSection(id);
  const registered = new Set<string>();
  const results = new Map<string, string>();

  return {
    test: (caseId, run, timeoutMs) => {
      const row = section.cases.find((candidate) => candidate.id === caseId);
      if (row === undefined || registered.has(caseId)) {
        throw new Error(`case "${caseId}" is not in section "${id}" of cases.ts, or has two tests`);
      }
      registered.add(caseId);
      it(
        row.title,
        async () => {
          results.set(caseId, await run());
        },
        timeoutMs,
      );
    },
    checkDoc: () => {
      it('matches docs/reliability.md', () => {
        const untested = section.cases
          .filter((row) => !registered.has(row.id))
          .map((row) => row.id);
        const expected = renderSection(section, results);
        let doc = readFileSync(DOC_PATH, 'utf8');
        if (UPDATE) {
          doc = replaceSection(doc, section.id, expected);
          writeFileSync(DOC_PATH, doc);
        }

        expect(untested, 'cases of cases.ts without a test').toEqual([]);
        expect(
          extractSection(doc, section.id),
          'docs/reliability.md differs from the results: run npm run reliability:doc',
        ).toBe(expected);
        expect(expected, 'a case did not pass').not.toContain(`| ${NOT_PASSED} |`);
      });
    },
  };
}

function findSection(id: string): ReliabilitySection {
  const section = SECTIONS.find((candidate) => candidate.id === id);
  if (section === undefined) {
    throw new Error(`no section "${id}" in cases.ts`);
  }
  return section;
}

export function startMarker(id: string): string {
  return `<!-- cases: ${id} -->`;
}

const END_MARKER = '<!-- end of cases -->';

/** Writes a section of the doc: its heading, its test file and a table of cases and results. */
export function renderSection(
  section: ReliabilitySection,
  results: ReadonlyMap<string, string>,
): string {
  const rows = section.cases.map((row) => {
    const result = results.has(row.id) ? `pass: ${results.get(row.id)}` : NOT_PASSED;
    return `| ${cell(row.title)} | ${cell(row.expected)} | ${cell(result)} |`;
  });

  return [
    startMarker(section.id),
    `## ${section.heading}`,
    '',
    `Run by \`${section.file}\`.`,
    '',
    '| Case | Expected behaviour | Result |',
    '|---|---|---|',
    ...rows,
    END_MARKER,
  ].join('\n');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** Returns a section of the doc, markers included, or undefined when it has none. */
export function extractSection(doc: string, id: string): string | undefined {
  const start = doc.indexOf(startMarker(id));
  const end = start === -1 ? -1 : doc.indexOf(END_MARKER, start);
  return end === -1 ? undefined : doc.slice(start, end + END_MARKER.length);
}

/** Puts a section into the doc in place of its old text, or else before the next section of cases.ts. */
function replaceSection(doc: string, id: string, section: string): string {
  const current = extractSection(doc, id);
  if (current !== undefined) {
    return doc.replace(current, () => section);
  }

  const later = SECTIONS.slice(SECTIONS.findIndex((candidate) => candidate.id === id) + 1);
  const next = later
    .map((candidate) => doc.indexOf(startMarker(candidate.id)))
    .find((index) => index !== -1);
  if (next === undefined) {
    return `${doc.trimEnd()}\n\n${section}\n`;
  }
  return `${doc.slice(0, next)}${section}\n\n${doc.slice(next)}`;
}
