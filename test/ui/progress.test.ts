import { PassThrough } from 'node:stream';

import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';

import { ProgressDisplay } from '../../src/ui/progress.js';

function display(bar: boolean): {
  progress: ProgressDisplay;
  written: () => string;
  advance: (ms: number) => void;
} {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  let now = 0;
  const progress = new ProgressDisplay({
    stream,
    style: new Chalk({ level: 0 }),
    bar,
    intervalMs: 1000,
    now: () => now,
  });
  return { progress, written: () => text, advance: (ms) => (now += ms) };
}

const counts = (done: number) => ({ done, total: 4, delivered: done, failed: 0, skipped: 0 });

describe('ProgressDisplay', () => {
  it('prints plain lines at the interval', async () => {
    const { progress, written, advance } = display(false);

    progress.update(counts(1));
    advance(1000);
    progress.update(counts(2));
    advance(500);
    progress.update(counts(3));
    await new Promise((resolve) => setImmediate(resolve));

    expect(written()).toBe(
      'progress: 2/4 events done: 2 delivered, 0 failed, 0 skipped (1.00 s)\n',
    );
  });

  it('redraws a bar in place', async () => {
    const { progress, written, advance } = display(true);

    progress.update(counts(2));
    advance(200);
    progress.around(() => undefined);
    progress.clear();
    await new Promise((resolve) => setImmediate(resolve));

    expect(written()).toMatch(/^\r\x1b\[2K█{12}░{12} 2\/4 {2}2 delivered/);
    expect(written().endsWith('\r\x1b[2K')).toBe(true);
    expect(written()).not.toContain('\n');
  });
});
