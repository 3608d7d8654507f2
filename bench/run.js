// Runs the benchmarks, each against its baseline in the same run, and
// writes the results into docs/benchmarks.md between its markers.
//
//   npm run bench                                 build, run all, write docs/benchmarks.md
//   node bench/run.js --only capture,signing      run some, print the results only
//   node bench/run.js --rounds 3 --replay-records 100000
//
// Servers listen on port 0 of 127.0.0.1 only, and every load is bounded in
// time or in count. Run it on an otherwise idle machine: other work on the
// same cores shows up in the figures.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { capture } from './capture.js';
import { delivery } from './delivery.js';
import { ROOT } from './lib/paths.js';
import { describeMachine, END_MARKER, formatValue, meetsTarget, renderResults, START_MARKER } from './lib/report.js';
import { replay } from './replay.js';
import { signing } from './signing.js';
import { startup } from './startup.js';

/** Every benchmark, in the order of docs/benchmarks.md. */
const BENCHMARKS = [startup, capture, delivery, replay, signing];

const REPORT = join(ROOT, 'docs', 'benchmarks.md');

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exitCode = 2;
}

async function main() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      rounds: { type: 'string', default: '5' },
      'replay-records': { type: 'string', default: '1000000' },
    },
  });
  const options = {
    rounds: positiveInteger(values.rounds, '--rounds'),
    replayRecords: positiveInteger(values['replay-records'], '--replay-records'),
  };
  const selected = selectBenchmarks(values.only);

  const tmpDir = mkdtempSync(join(os.tmpdir(), 'pllay-bench-'));
  const startedAt = new Date();
  const loadAtStart = os.loadavg()[0];
  const results = [];
  try {
    for (const benchmark of selected) {
      results.push(await runBenchmark(benchmark, { rounds: options.rounds, options, tmpDir }));
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }

  const markdown = renderResults({
    machine: describeMachine(),
    settings: `${options.rounds} rounds and a replay log of ${options.replayRecords.toLocaleString('en-US')} records`,
    startedAt,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    load: { start: loadAtStart, end: os.loadavg()[0] },
    results,
  });

  if (values.only === undefined) {
    writeReport(markdown);
    console.error(`\nwrote ${REPORT}`);
  } else {
    console.log(markdown);
  }
  return results.some((result) => result.error) ? 1 : 0;
}

async function runBenchmark(benchmark, settings) {
  const context = { ...settings, progress: (message) => console.error(`[${benchmark.id}] ${message}`) };
  const summary = {
    number: BENCHMARKS.indexOf(benchmark) + 1,
    title: benchmark.title,
    description: benchmark.description,
    commands: benchmark.commands,
  };

  try {
    const skipped = await benchmark.unavailable?.(context);
    if (skipped) {
      console.error(`[${benchmark.id}] skipped: ${skipped}`);
      return { ...summary, skipped };
    }

    const result = await benchmark.run(context);
    for (const row of result.rows) {
      const met = meetsTarget(row);
      let verdict = '';
      if (met !== undefined) {
        verdict = met ? ' (met)' : ' (MISSED)';
      }
      console.error(
        `[${benchmark.id}] ${row.label}: ${formatValue(row.subject, row.unit)} vs ` +
          `${formatValue(row.baseline, row.unit)}, ratio ${row.ratio.toFixed(2)}${verdict}`,
      );
    }
    return { ...summary, ...result };
  } catch (error) {
    console.error(`[${benchmark.id}] failed: ${error.stack}`);
    return { ...summary, error: error.message.split('\n')[0] };
  }
}

/** Returns the benchmarks named in --only, in their usual order; all of them without it. */
function selectBenchmarks(only) {
  if (only === undefined) {
    return BENCHMARKS;
  }

  const ids = only.split(',').map((id) => id.trim());
  const unknown = ids.filter((id) => !BENCHMARKS.some((benchmark) => benchmark.id === id));
  if (unknown.length > 0) {
    const known = BENCHMARKS.map((benchmark) => benchmark.id).join(', ');
    throw new Error(`unknown benchmark ${unknown.join(', ')} in --only; known: ${known}`);
  }
  return BENCHMARKS.filter((benchmark) => ids.includes(benchmark.id));
}

function positiveInteger(value, flag) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new Error(`invalid ${flag} "${value}": expected a whole number of at least 1`);
  }
  return number;
}

/** Replaces the text between the markers of docs/benchmarks.md, keeping everything around it. */
function writeReport(markdown) {
  const current = readFileSync(REPORT, 'utf8');
  const start = current.indexOf(START_MARKER);
  const end = current.indexOf(END_MARKER);
  if (start === -1 || end < start) {
    throw new Error(`${REPORT} has lost its results markers; restore the two lines\n${START_MARKER}\n${END_MARKER}`);
  }
  writeFileSync(REPORT, current.slice(0, start) + markdown + current.slice(end + END_MARKER.length));
}
