import type { CaptureEvent } from '../capture/server.js';
import type { AttemptResult } from '../delivery/deliver.js';
import { describeAttempt } from '../delivery/outcome.js';
import type { CaptureRecord } from '../log/index.js';
import { responseStart, formatBytes, formatClock, formatDuration, formatStatus, formatVerdict, oneLine } from './format.js';
import type { Output } from './output.js';

export interface CaptureRenderOptions {
  printJson: boolean;
  forwarding: boolean;
}

/** Shows one event of the capture server: a line per request, and the app's response when forwarding. */
export function renderCaptureEvent(output: Output, event: CaptureEvent, options: CaptureRenderOptions): void {
  if (event.kind === 'log-failed') {
    output.error(`error: ${event.error.message}`);
    return;
  }
  if (event.kind === 'too-large') {
    output.warn(`rejected a body over ${formatBytes(event.limit)} on ${event.path} with 413`);
    return;
  }
  if (event.kind === 'unsupported-encoding') {
    output.warn(`rejected a body with content-encoding ${event.encoding} on ${event.path} with 415; nothing was logged`);
    return;
  }
  if (event.kind === 'aborted') {
    output.warn(`a client disconnected or timed out before sending the whole body on ${event.path}; nothing was logged`);
    return;
  }

  // With forwarding, an event's line waits for the app's response, so that both are on one line.
  if (event.kind === 'captured') {
    output.data(event.record);
    if (!options.forwarding) {
      output.line(captureLine(output, event.record));
      printBody(output, event.record, options.printJson);
    }
    return;
  }

  if (event.kind === 'not-forwarded') {
    output.line(`${captureLine(output, event.capture)}  ${output.style.dim(`not forwarded: ${event.reason}`)}`);
  } else {
    output.data(event.delivery);
    output.line(`${captureLine(output, event.capture)}  ${responseText(output, event.attempt)}`);
  }
  printBody(output, event.capture, options.printJson);
}

function captureLine(output: Output, record: CaptureRecord): string {
  const style = output.style;
  const matched = record.secret_fingerprint === undefined ? '' : ` ${style.dim(`(secret ${record.secret_fingerprint})`)}`;
  const reason = record.signature === 'valid' ? matched : ` ${style.dim(`(${record.signature_reason})`)}`;
  return (
    `${style.dim(formatClock(new Date(record.received_at)))} ${style.cyan('-->')} ${style.bold((record.type ?? '(not an event)').padEnd(20))} ` +
    `${style.dim(record.event_id ?? '-')}  ${formatVerdict(style, record.signature)}${reason}  ${style.dim(formatBytes(record.size))}`
  );
}

/** Formats the app's response to a forward: `<-- 200 12 ms {"ok":true}`, or why it failed. */
function responseText(output: Output, attempt: AttemptResult): string {
  const style = output.style;
  const arrow = style.cyan('<--');
  if (attempt.status === undefined) {
    return `${arrow} ${style.red(`✖ ${describeAttempt(attempt)}`)}`;
  }

  const detail = attempt.ok
    ? style.dim(oneLine(attempt.snippet ?? '', 40))
    : `${style.red(describeAttempt(attempt))}${responseStart(style, attempt)}`;
  return `${arrow} ${formatStatus(style, attempt.status)} ${formatDuration(attempt.durationMs)}  ${detail}`.trimEnd();
}

function printBody(output: Output, record: CaptureRecord, printJson: boolean): void {
  if (printJson) {
    output.line(record.body ?? `(binary body, ${record.size} bytes, stored as base64)`);
  }
}
