import { describeAttempt } from '../delivery/outcome.js';
import type { ScheduledAttempt } from '../replay/backoff.js';
import type { LoggedEvent } from '../replay/extract.js';
import type { InputScan } from '../replay/inputs.js';
import type { AttemptLog, EventResult, ReplayProgress, ReplaySummary } from '../replay/run.js';
import { formatDuration, formatStatus, oneLine } from './format.js';
import type { Output } from './output.js';
import { ProgressDisplay } from './progress.js';

/** Unusable lines listed one by one; the rest are counted. */
const LISTED_UNUSABLE = 20;

/** Formats the place of an event in the logs: `capture.ndjson:12`, or `events.json:3[2]` inside an array. */
export function eventSource(event: Pick<LoggedEvent, 'file' | 'line' | 'element'>): string {
  return `${event.file}:${event.line}${event.element === undefined ? '' : `[${event.element}]`}`;
}

/** Warns about lines that contain no event and notes a torn last line. */
export function renderScan(output: Output, scan: InputScan, strict: boolean): void {
  for (const torn of scan.torn) {
    output.info(
      `${torn.file}:${torn.line}: skipped the last line, which is incomplete (a write cut short)`,
    );
  }
  if (scan.unusableCount === 0) {
    return;
  }

  const single = scan.unusableCount === 1;
  const lines = single ? '1 line contains' : `${scan.unusableCount} lines contain`;
  const consequence = strict
    ? ''
    : ` and ${single ? 'was' : 'were'} skipped (--strict makes this an error)`;
  output.warn(`${lines} no usable event${consequence}:`);
  for (const line of scan.unusable.slice(0, LISTED_UNUSABLE)) {
    output.error(`  ${eventSource(line)}: ${line.reason}`);
  }
  if (scan.unusableCount > LISTED_UNUSABLE) {
    output.error(`  … and ${scan.unusableCount - LISTED_UNUSABLE} more`);
  }
}

/** Shows each attempt and result as the run goes, with a progress display on stderr. */
export class ReplayView {
  readonly #output: Output;
  readonly #progress: ProgressDisplay | undefined;
  readonly #target: string;
  readonly #total: number;
  #counts = { done: 0, delivered: 0, failed: 0, skipped: 0 };

  constructor(options: {
    output: Output;
    target: string;
    total: number;
    progress: 'bar' | 'lines' | 'none';
  }) {
    this.#output = options.output;
    this.#target = options.target;
    this.#total = options.total;
    this.#progress =
      options.progress === 'none'
        ? undefined
        : new ProgressDisplay({
            stream: options.output.stderr,
            style: options.output.errorStyle,
            bar: options.progress === 'bar',
          });
  }

  readonly onProgress = (progress: ReplayProgress): void => {
    if (progress.kind === 'attempt') {
      this.#write(() => this.#renderAttempt(progress));
    } else if (progress.kind === 'result') {
      this.#count(progress.result);
      this.#write(() => this.#renderResult(progress.result));
      this.#progress?.update({ ...this.#counts, total: this.#total });
    } else {
      this.#output.debug(
        `${eventSource(progress.event)}: ${progress.event.id} already selected; repeat left out`,
      );
    }
  };

  /** Takes the progress bar off the screen before the summary. */
  close(): void {
    this.#progress?.clear();
  }

  #write(render: () => void): void {
    if (this.#progress) {
      this.#progress.around(render);
    } else {
      render();
    }
  }

  #count(result: EventResult): void {
    this.#counts.done++;
    if (
      result.outcome === 'delivered' ||
      result.outcome === 'failed' ||
      result.outcome === 'skipped'
    ) {
      this.#counts[result.outcome]++;
    }
  }

  #renderAttempt(progress: Extract<ReplayProgress, { kind: 'attempt' }>): void {
    const { attempt, event, retry } = progress;
    if (attempt.result.ok || (retry === undefined && attempt.number === 1)) {
      return;
    }

    const style = this.#output.style;
    const next = retry
      ? style.yellow(
          `retrying in ${formatDuration(retry.delayMs)}${retry.source === 'retry-after' ? ' (Retry-After)' : ''}`,
        )
      : '';
    this.#output.line(
      `  ${style.dim('↻')} ${event.type.padEnd(20)} ${style.dim(event.id)}  attempt ${attempt.number}/${progress.maxAttempts}  ` +
        `${statusText(this.#output, attempt)}  ${formatDuration(attempt.result.durationMs)}  ${next}`.trimEnd(),
    );
  }

  #renderResult(result: EventResult): void {
    this.#output.data(resultData(result, this.#target));

    const style = this.#output.style;
    const { event } = result;
    const last = result.attempts.at(-1);
    const tries = result.attempts.length === 1 ? '1 attempt' : `${result.attempts.length} attempts`;
    const head = `${event.type.padEnd(20)} ${style.dim(event.id)}`;

    switch (result.outcome) {
      case 'delivered':
        this.#output.line(
          `${style.green('✔')} ${head}  ${statusText(this.#output, last!)}  ${tries}  ` +
            `${formatDuration(result.durationMs)}  ${style.dim(oneLine(last!.result.snippet ?? '', 40))}`.trimEnd(),
        );
        return;
      case 'skipped':
        this.#output.line(`${style.dim('-')} ${head}  ${style.dim(`skipped: ${result.reason}`)}`);
        return;
      case 'failed':
      case 'interrupted':
        this.#output.line(
          `${style.red('✖')} ${head}  ${tries}  ${style.red(result.reason)}  ${style.dim(eventSource(event))}`,
        );
    }
  }
}

function statusText(output: Output, attempt: AttemptLog): string {
  const { result } = attempt;
  return result.status === undefined
    ? output.style.red(result.error?.code ?? 'error')
    : formatStatus(output.style, result.status);
}

/** Builds the `--json` form of one event's result. */
export function resultData(result: EventResult, target: string): Record<string, unknown> {
  return {
    event_id: result.event.id,
    type: result.event.type,
    outcome: result.outcome,
    // A skipped event was delivered by an earlier run.
    ok: result.outcome === 'delivered' || result.outcome === 'skipped',
    reason: result.reason,
    target,
    source: eventSource(result.event),
    duration_ms: result.durationMs,
    attempts: result.attempts.map((attempt) => ({
      at: attempt.at.toISOString(),
      status: attempt.result.status ?? null,
      error: attempt.result.error?.message ?? null,
      error_code: attempt.result.error?.code ?? null,
      duration_ms: attempt.result.durationMs,
      outcome: describeAttempt(attempt.result),
    })),
  };
}

/** Prints the summary table: delivered, failed, skipped, attempts and time. */
export function renderSummary(output: Output, summary: ReplaySummary): void {
  const style = output.style;
  const rows: Array<[string, string]> = [
    ['delivered', style.green(String(summary.delivered))],
    ['failed', summary.failed > 0 ? style.red(String(summary.failed)) : '0'],
    ['skipped', String(summary.skipped)],
    ['attempts', String(summary.attempts)],
    ['time', formatDuration(summary.durationMs)],
  ];
  if (summary.interrupted > 0 || summary.notReached > 0) {
    rows.splice(3, 0, [
      'interrupted',
      style.yellow(String(summary.interrupted + summary.notReached)),
    ]);
  }
  if (summary.duplicates > 0) {
    rows.splice(3, 0, [
      'repeats',
      // Usually the delivery records that listen --forward-to or an earlier replay wrote for the event.
      `${summary.duplicates} later line${summary.duplicates === 1 ? '' : 's'} of an event already selected (such as its delivery records), left out`,
    ]);
  }

  output.result('');
  for (const [label, value] of rows) {
    output.result(`  ${label.padEnd(12)} ${value}`);
  }
}

/** Prints the attempts that the backoff flags produce when every attempt fails. */
export function renderSchedule(output: Output, schedule: ScheduledAttempt[]): void {
  output.line('\nSchedule of each event when every attempt fails with a retryable error:');
  for (const step of schedule) {
    const wait =
      step.attempt === 1
        ? 'at once'
        : step.minDelayMs === step.maxDelayMs
          ? `after ${formatDuration(step.maxDelayMs)}`
          : `after ${formatDuration(step.minDelayMs)} to ${formatDuration(step.maxDelayMs)}`;
    const total =
      step.attempt === 1
        ? ''
        : output.style.dim(`  (at most ${formatDuration(step.maxElapsedMs)} of waits since the first)`);
    output.line(`  attempt ${step.attempt}  ${wait}${total}`);
  }
  output.line(
    output.style.dim('  A valid Retry-After header replaces the wait, up to --max-delay.'),
  );
}
