import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  openSync,
  rmSync,
  type WriteStream,
} from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { describeAttempt } from '../delivery/outcome.js';
import { ExitCode, PllayError } from '../errors.js';
import { noteNewFile } from '../log/new-file.js';
import { makeTempDir } from '../temp.js';
import type { EventResult, ReplaySummary } from './run.js';

/**
 * Characters that XML 1.0 does not allow anywhere, even escaped: most C0
 * controls, lone surrogates, U+FFFE and U+FFFF.
 */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for XML, replacing the characters that XML 1.0 forbids with U+FFFD. */
export function escapeXml(text: string): string {
  return text.replace(INVALID_XML, '\uFFFD').replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/**
 * Writes a JUnit XML report with one test case per event, for CI
 * dashboards. Test cases go to a temporary file as events finish, so a long
 * run keeps none of them in memory. `finish` then writes the root elements
 * with their totals around the test cases, and moves the report into place,
 * so the path contains either a whole report or nothing new: a run that fails
 * before `finish` leaves no file behind.
 */
export class JunitReport {
  readonly path: string;
  readonly #folder: string;
  readonly #cases: WriteStream;
  readonly #started = new Date();

  constructor(path: string) {
    this.path = path;
    const created = noteNewFile(path);
    try {
      // Fails now, before any event is sent, when the report cannot be written. The empty file
      // made by the check is removed again, so only a finished report ever appears at the path.
      mkdirSync(dirname(path), { recursive: true });
      closeSync(openSync(path, 'a'));
    } catch (error) {
      throw reportFailed('E_REPORT_UNWRITABLE', path, error);
    } finally {
      created.removeIfEmpty();
    }
    this.#folder = makeTempDir('pllay-hooks-report-');
    this.#cases = createWriteStream(join(this.#folder, 'cases.xml'));
    // A failed write is reported through the callback of `add`; without a listener the
    // stream's error event would end the process.
    this.#cases.on('error', () => undefined);
  }

  /** Adds the test case of one event. */
  add(result: EventResult): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#cases.write(testCase(result), (error) =>
        error ? reject(reportFailed('E_REPORT_WRITE_FAILED', this.path, error)) : resolve(),
      );
    });
  }

  /** Writes the finished report to its path. */
  async finish(summary: ReplaySummary, target: string): Promise<void> {
    this.#cases.end();
    await once(this.#cases, 'close');

    const partial = `${this.path}.partial`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      await this.#writeReport(partial, summary, target);
      await rename(partial, this.path);
    } catch (error) {
      rmSync(partial, { force: true });
      throw reportFailed('E_REPORT_WRITE_FAILED', this.path, error);
    }
    this.discard();
  }

  async #writeReport(partial: string, summary: ReplaySummary, target: string): Promise<void> {
    const output = createWriteStream(partial);
    const failed = new Promise<never>((_resolve, reject) => output.once('error', reject));
    await Promise.race([this.#writeParts(output, summary, target), failed]);
  }

  async #writeParts(output: WriteStream, summary: ReplaySummary, target: string): Promise<void> {
    const tests = summary.delivered + summary.failed + summary.skipped + summary.interrupted;
    const counts =
      `tests="${tests}" failures="${summary.failed}" errors="${summary.interrupted}" ` +
      `skipped="${summary.skipped}" time="${seconds(summary.durationMs)}"`;

    output.write('<?xml version="1.0" encoding="UTF-8"?>\n');
    output.write(`<testsuites name="pllay-hooks replay" ${counts}>\n`);
    output.write(
      `  <testsuite name="${escapeXml(`replay to ${target}`)}" ${counts} ` +
        `timestamp="${this.#started.toISOString()}">\n`,
    );
    for await (const chunk of createReadStream(join(this.#folder, 'cases.xml'))) {
      if (!output.write(chunk)) {
        await once(output, 'drain');
      }
    }
    output.end('  </testsuite>\n</testsuites>\n');
    await once(output, 'close');
  }

  /** Removes the temporary test cases. */
  discard(): void {
    this.#cases.destroy();
    rmSync(this.#folder, { recursive: true, force: true });
  }
}

function reportFailed(code: string, path: string, error: unknown): PllayError {
  return new PllayError(code, `cannot write the report ${path}: ${(error as Error).message}`, {
    category: 'filesystem',
    exitCode: ExitCode.usage,
    hint: 'choose a writable path with --report FILE',
    cause: error,
  });
}

function testCase(result: EventResult): string {
  const { event } = result;
  const name = `${event.id} (${event.file}:${event.line})`;
  const open =
    `    <testcase classname="${escapeXml(event.type)}" name="${escapeXml(name)}" ` +
    `time="${seconds(result.durationMs)}"`;
  const details = escapeXml(attemptLines(result));

  switch (result.outcome) {
    case 'delivered':
      return `${open}>\n      <system-out>${details}</system-out>\n    </testcase>\n`;
    case 'skipped':
      return `${open}>\n      <skipped message="${escapeXml(result.reason)}"/>\n    </testcase>\n`;
    case 'failed':
      return `${open}>\n      <failure message="${escapeXml(result.reason)}" type="delivery">${details}</failure>\n    </testcase>\n`;
    case 'interrupted':
      return `${open}>\n      <error message="${escapeXml(result.reason)}" type="interrupted">${details}</error>\n    </testcase>\n`;
  }
}

function attemptLines(result: EventResult): string {
  return result.attempts
    .map(
      (attempt) =>
        `attempt ${attempt.number} at ${attempt.at.toISOString()}: ${describeAttempt(attempt.result)} (${attempt.result.durationMs} ms)`,
    )
    .join('\n');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
