import { execFileSync } from 'node:child_process';
import os from 'node:os';

import { ROOT } from './paths.js';

export const START_MARKER = '<!-- results: start. Written by `npm run bench`; edit outside the markers. -->';
export const END_MARKER = '<!-- results: end -->';

/** Describes the machine and the checkout that a run measured. */
export function describeMachine() {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    system: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    commit: gitCommit(),
  };
}

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bin'], { cwd: ROOT, encoding: 'utf8' });
    return changed.trim() === '' ? commit : `${commit}, with uncommitted changes in src/ or bin/`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** Renders the results of one run as the Markdown that goes between the markers. */
export function renderResults({ machine, settings, startedAt, seconds, load, results }) {
  const lines = [
    START_MARKER,
    '## Latest run',
    '',
    `Run on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${machine.commit}, ` +
      `in ${formatSeconds(seconds)}, with ${settings}.`,
    '',
    '| Machine | |',
    '| --- | --- |',
    `| CPU | ${machine.cores} cores available to Node.js (${machine.cpu}) |`,
    `| Memory | ${machine.memory} |`,
    `| System | ${machine.system} |`,
    `| Node.js | ${machine.node} |`,
    `| Load average (1 min) at start and end | ${load.start.toFixed(2)} and ${load.end.toFixed(2)} |`,
    '',
    'Each ratio is pllay-hooks divided by its baseline, taken as the median of the per-round ' +
      'ratios. The absolute figures beside it are the medians of the per-round values. For a ' +
      'time or a memory size lower is better, for a rate higher is better.',
    '',
  ];

  for (const result of results) {
    lines.push(...renderBenchmark(result), '');
  }
  lines.push(END_MARKER);
  return lines.join('\n');
}

function renderBenchmark(result) {
  const lines = [`### ${result.number}. ${result.title}`, ''];

  if (result.skipped) {
    return [...lines, `Skipped: ${result.skipped}.`];
  }
  if (result.error) {
    return [...lines, `Failed: ${result.error}`];
  }

  lines.push(
    result.description,
    '',
    '| Case | pllay-hooks | Baseline | Ratio | Target | Ratio by round |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  );
  for (const row of result.rows) {
    lines.push(
      `| ${row.label} | ${formatValue(row.subject, row.unit)} | ` +
        `${formatValue(row.baseline, row.unit)} (${row.baselineLabel}) | ${row.ratio.toFixed(2)}× | ` +
        `${formatTarget(row)} | ${row.ratios.map((ratio) => ratio.toFixed(2)).join(', ')} |`,
    );
  }

  lines.push('', ...(result.notes ?? []).flatMap((note) => [note, '']), 'Commands:', '', '```sh', ...result.commands, '```');
  return lines;
}

/** Returns whether a row meets its target; undefined when it has none. */
export function meetsTarget(row) {
  if (row.target === undefined) {
    return undefined;
  }
  return row.better === 'lower' ? row.ratio <= row.target : row.ratio >= row.target;
}

function formatTarget(row) {
  const met = meetsTarget(row);
  if (met === undefined) {
    return 'none';
  }
  const bound = `${row.better === 'lower' ? '≤' : '≥'} ${row.target}×`;
  return met ? `${bound}: met` : `${bound}: **missed**`;
}

export function formatValue(value, unit) {
  if (unit === 'ms') {
    return `${value.toFixed(1)} ms`;
  }
  if (unit === 'µs') {
    return `${value.toFixed(1)} µs`;
  }
  if (unit === 'bytes') {
    return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  }
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}

function formatSeconds(seconds) {
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`;
}
