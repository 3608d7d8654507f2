import { describeAttempt } from '../delivery/outcome.js';
import { INSPECTOR_PREFIX, type InspectorEvent } from '../inspector/index.js';
import { formatClock } from './format.js';
import type { Output } from './output.js';

export interface InspectorAnnouncement {
  /** Base URL of the server that serves the inspector. */
  serverUrl: string;
  host: string;
  log: string;
  history: { entries: number; skipped: number };
}

/** Prints where the inspector is, and what it loaded from the log. */
export function announceInspector(output: Output, announcement: InspectorAnnouncement): void {
  // The wildcard address is where the server listens, not one to connect to, so the page is shown on
  // the loopback address.
  const base = announcement.serverUrl.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
  const url = `${base}${INSPECTOR_PREFIX}`;
  output.data({ kind: 'inspector', url });
  output.result(`Inspector on ${output.style.bold(url)}`);

  const { host, log, history } = announcement;
  if (host === '0.0.0.0' || host === '::') {
    output.warn('the inspector is reachable from your network too: anyone on it can read the captured events and replay them');
  }
  if (history.entries > 0) {
    output.info(output.errorStyle.dim(`Inspector: ${history.entries} earlier events loaded from ${log}`));
  }
  if (history.skipped > 0) {
    output.debug(`the inspector skipped ${history.skipped} lines at the end of ${log} that are not capture or delivery records`);
  }
}

/** Shows a replay from the inspector as a line, and each attempt with --verbose. */
export function renderInspectorEvent(output: Output, event: InspectorEvent): void {
  if (event.kind === 'request-failed') {
    output.error(`error: the inspector failed on ${event.method} ${event.path}: ${event.error.message}`);
    return;
  }

  const { capture } = event.entry;
  if (event.kind === 'replay-attempt') {
    const { attempt, maxAttempts } = event.progress;
    output.debug(`replay of ${capture.event_id ?? '-'} to ${event.target.href}, attempt ${attempt.number} of ${maxAttempts}: ${describeAttempt(attempt.result)}`);
    return;
  }

  if (event.delivery) {
    output.data(event.delivery);
  }
  if (event.logError) {
    output.error(`error: the capture log could not be written: ${event.logError.message}`);
  }
  const style = output.style;
  const mark = event.result.outcome === 'delivered' ? style.green('✔') : style.red('✖');
  output.line(
    `${style.dim(formatClock(new Date()))} ${style.cyan('<--')} ${style.bold((capture.type ?? '(not an event)').padEnd(20))} ` +
      `${style.dim(capture.event_id ?? '-')}  replayed to ${event.target.href}: ${mark} ${event.result.reason}`,
  );
}
