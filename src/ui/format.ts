import type { ChalkInstance } from 'chalk';

import type { AttemptResult } from '../delivery/deliver.js';
import type { SignatureVerdict } from '../signature/index.js';

/** Colours a status by class: 2xx green, 3xx and 4xx yellow, 5xx red. */
export function formatStatus(style: ChalkInstance, status: number): string {
  if (status >= 200 && status < 300) {
    return style.green(String(status));
  }
  if (status >= 500) {
    return style.red(String(status));
  }
  return style.yellow(String(status));
}

export function formatVerdict(style: ChalkInstance, verdict: SignatureVerdict): string {
  switch (verdict) {
    case 'valid':
      return style.green('✔ valid');
    case 'invalid':
      return style.red('✖ invalid');
    case 'missing':
      return style.red('✖ missing');
    case 'unchecked':
      return style.yellow('? unchecked');
  }
}

/** Formats a byte count: `812 B`, `3.4 KiB`, `1.2 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KiB`;
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Shortens text to one line of at most `width` characters. */
export function oneLine(text: string, width = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/** Local time of day, `14:03:27`. */
export function formatClock(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

/** Returns the start of the app's response body to a failed attempt, after a colon, or nothing. */
export function responseStart(style: ChalkInstance, attempt: Pick<AttemptResult, 'snippet'>): string {
  const body = oneLine(attempt.snippet ?? '', 50);
  return body === '' ? '' : `: ${style.dim(body)}`;
}
