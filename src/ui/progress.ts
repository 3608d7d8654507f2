import type { ChalkInstance } from 'chalk';

import { formatDuration } from './format.js';

export interface ProgressCounts {
  done: number;
  total: number;
  delivered: number;
  failed: number;
  skipped: number;
}

export interface ProgressOptions {
  stream: NodeJS.WritableStream;
  style: ChalkInstance;
  /** A bar redrawn in place; otherwise a plain line every `intervalMs`. */
  bar: boolean;
  /** Time between plain lines. */
  intervalMs?: number;
  now?: () => number;
}

/** Time between plain progress lines when output is not a terminal. */
export const PLAIN_PROGRESS_INTERVAL_MS = 10_000;

/** Time between redraws of the bar. */
const BAR_REDRAW_MS = 100;

const BAR_WIDTH = 24;

/**
 * Shows how far a run has come on stderr: a bar redrawn in place on a
 * terminal, or a plain line at most every `intervalMs` in CI and in logs.
 */
export class ProgressDisplay {
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #started: number;
  #counts: ProgressCounts = { done: 0, total: 0, delivered: 0, failed: 0, skipped: 0 };
  #lastDraw = -Infinity;
  #visible = false;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
    if (!options.bar) {
      this.#lastDraw = this.#started;
    }
  }

  update(counts: ProgressCounts): void {
    this.#counts = counts;
    const now = this.#now();
    const interval = this.#options.bar
      ? BAR_REDRAW_MS
      : (this.#options.intervalMs ?? PLAIN_PROGRESS_INTERVAL_MS);

    if (now - this.#lastDraw >= interval || (this.#options.bar && counts.done === counts.total)) {
      this.#lastDraw = now;
      this.#draw(now);
    }
  }

  /** Runs `write` with the bar taken off the screen, so that other output does not mix with it. */
  around(write: () => void): void {
    if (!this.#visible) {
      write();
      return;
    }
    this.clear();
    write();
    this.#draw(this.#now());
  }

  /** Takes the bar off the screen. */
  clear(): void {
    if (this.#visible) {
      this.#options.stream.write('\r\x1b[2K');
      this.#visible = false;
    }
  }

  #draw(now: number): void {
    const { done, total, delivered, failed, skipped } = this.#counts;
    const style = this.#options.style;
    const elapsed = formatDuration(now - this.#started);
    const tally = `${delivered} delivered, ${failed} failed, ${skipped} skipped`;

    if (!this.#options.bar) {
      this.#options.stream.write(`progress: ${done}/${total} events done: ${tally} (${elapsed})\n`);
      return;
    }

    const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
    const bar = style.green('█'.repeat(filled)) + style.dim('░'.repeat(BAR_WIDTH - filled));
    this.#options.stream.write(`\r\x1b[2K${bar} ${done}/${total}  ${tally}  ${style.dim(elapsed)}`);
    this.#visible = true;
  }
}
