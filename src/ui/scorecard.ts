import { PRACTICES } from '../check/practices.js';
import type { CheckReport, CheckResult, CheckStatus, CheckSummary, Exchange } from '../check/types.js';
import { formatDuration } from './format.js';
import type { Output } from './output.js';

/** Width that explanations wrap at. */
const WRAP_WIDTH = 80;

export interface CheckStart {
  target: string;
  types: readonly string[];
  requests: number;
  concurrency: number;
  maxLatencyMs: number;
}

/** Prints what a check run is about to send. */
export function renderCheckStart(output: Output, start: CheckStart): void {
  const types = start.types.length === 1 ? start.types[0]! : `${start.types.length} event types`;
  output.line(`Checking ${output.style.bold(start.target)} against PLLAY's webhook best practices`);
  output.line(
    output.style.dim(
      `${types}, ${start.requests} requests, ${start.concurrency} at a time; ` +
        `responses within ${formatDuration(start.maxLatencyMs)} pass`,
    ),
  );
}

/**
 * Prints the scorecard, grouped by practice. Passing checks are hidden by
 * `--quiet`; warnings, failures and the summary line are not.
 */
export function renderScorecard(output: Output, report: CheckReport, summary: CheckSummary): void {
  const style = output.style;
  const titleWidth = Math.max(...report.results.map((result) => result.title.length));

  for (const practice of PRACTICES) {
    const results = report.results.filter((result) => result.practice === practice.id);
    if (results.length === 0) {
      continue;
    }

    const guide = practice.guide ? style.dim(`  PLLAY: "${practice.guide}"`) : '';
    output.line(`\n${style.bold(practice.title)}${guide}`);
    results.forEach((result, index) => renderResult(output, result, results[index - 1], titleWidth));
    renderExplanations(output, results);
  }

  output.line();
  output.result(summaryLine(output, report, summary));
}

/** Prints one check. A fix that repeats the previous check's fix is shortened to "as above". */
function renderResult(output: Output, result: CheckResult, previous: CheckResult | undefined, titleWidth: number): void {
  const write = result.status === 'pass' ? output.line.bind(output) : output.result.bind(output);

  write(`  ${statusMark(output, result.status)}  ${result.title.padEnd(titleWidth)}  ${result.evidence}`);
  if (result.status !== 'pass' && result.fix) {
    const fix = previous?.status !== 'pass' && previous?.fix === result.fix ? 'as above' : result.fix;
    write(`          ${output.style.bold('fix:')} ${fix}`);
  }
}

function renderExplanations(output: Output, results: readonly CheckResult[]): void {
  const explanations = new Set(
    results.filter((result) => result.status !== 'pass' && result.explanation).map((result) => result.explanation!),
  );

  for (const explanation of explanations) {
    output.line(output.style.dim(wrap(`why: ${explanation}`, WRAP_WIDTH, '          ')));
  }
}

function statusMark(output: Output, status: CheckStatus): string {
  switch (status) {
    case 'pass':
      return output.style.green('✔ pass');
    case 'warn':
      return output.style.yellow('! warn');
    case 'fail':
      return output.style.red('✖ fail');
  }
}

function summaryLine(output: Output, report: CheckReport, summary: CheckSummary): string {
  const style = output.style;
  let mark = summary.ok ? style.green('✔') : style.red('✖');
  if (report.interrupted) {
    mark = style.yellow('!');
  }
  let line = `${mark} ${summary.passed} passed, ${summary.warned} warned, ${summary.failed} failed`;
  line += ` in ${formatDuration(report.durationMs)}`;

  if (summary.warned > 0) {
    line += summary.strict ? '; warnings fail under --strict' : '; --strict makes warnings fail';
  }
  return line;
}

/** Writes the report as NDJSON: one object per check, then a summary object. */
export function renderCheckJson(output: Output, report: CheckReport, summary: CheckSummary): void {
  for (const result of report.results) {
    output.data({
      kind: 'check',
      id: result.id,
      practice: result.practice,
      title: result.title,
      status: result.status,
      evidence: result.evidence,
      fix: result.fix ?? null,
      explanation: result.explanation ?? null,
      ...(result.metrics ? { metrics: result.metrics } : {}),
      requests: result.exchanges.map(exchangeRecord),
    });
  }

  output.data({
    kind: 'summary',
    target: report.target,
    types: report.types,
    requests: report.requests,
    duration_ms: report.durationMs,
    max_latency_ms: report.maxLatencyMs,
    ...summary,
    ...(report.interrupted ? { interrupted: true, ok: false } : {}),
  });
}

function exchangeRecord(exchange: Exchange): Record<string, unknown> {
  return {
    label: exchange.label,
    bytes: exchange.bytes,
    status: exchange.status ?? null,
    error: exchange.error ?? null,
    duration_ms: exchange.durationMs,
    response: exchange.response ?? null,
  };
}

/** Wraps text at word boundaries, indenting every line. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let current = '';

  for (const word of text.split(/\s+/)) {
    if (current !== '' && indent.length + current.length + 1 + word.length > width) {
      lines.push(indent + current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  if (current !== '') {
    lines.push(indent + current);
  }
  return lines.join('\n');
}
