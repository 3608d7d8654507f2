import { Command } from 'commander';

import { DEFAULT_FORWARD_TIMEOUT_MS, Forwarder } from '../capture/forward.js';
import { DEFAULT_MAX_BODY_BYTES, startCaptureServer, type CaptureEvent } from '../capture/server.js';
import { describeAttempt } from '../delivery/outcome.js';
import { DEFAULT_WEBHOOK_PATH, normalizeTarget } from '../delivery/target.js';
import { ExitCode, PllayError, UsageError } from '../errors.js';
import type { AttemptResult } from '../delivery/deliver.js';
import { LogWriter, type CaptureRecord } from '../log/index.js';
import { resolveSecrets, SECRET_ENV } from '../secret.js';
import { INSPECTOR_PREFIX, Inspector, startInspectorServer, type InspectorEvent, type RunningInspectorServer } from '../inspector/index.js';
import { fingerprint } from '../signature/index.js';
import { formatBytes, formatClock, formatDuration, formatStatus, formatVerdict, oneLine } from '../ui/format.js';
import type { Output } from '../ui/output.js';
import { createOutput, type CliContext } from './context.js';
import { collect, formatDurationFlag, parseByteSize, parseDuration, parsePort } from './options.js';

/** Port of `listen` unless --port says otherwise; apps themselves often take 3000. */
export const DEFAULT_LISTEN_PORT = 7575;

export const DEFAULT_CAPTURE_LOG = '.pllay-hooks/capture.ndjson';

interface ListenFlags {
  host: string;
  port: number;
  log: string;
  secret?: string[];
  maxBody: number;
  rejectInvalid?: boolean;
  printJson?: boolean;
  forwardTo?: string;
  forwardSync?: boolean;
  forwardInvalid?: boolean;
  forwardTimeout?: number;
  ui?: boolean;
  uiPort?: number;
}

export function listenCommand(context: CliContext): Command {
  return new Command('listen')
    .description('run a local capture server that verifies, shows and logs every webhook it receives')
    .option('--host <host>', 'interface to bind; 0.0.0.0 exposes the server to your network', '127.0.0.1')
    .option('--port <port>', 'port to listen on; 0 picks a free one', parsePort, DEFAULT_LISTEN_PORT)
    .option('--log <file>', 'capture log to append to (NDJSON)', DEFAULT_CAPTURE_LOG)
    .option('--secret <secret>', `secret to verify with; repeat for rotation (default: $${SECRET_ENV})`, collect)
    .option('--max-body <size>', 'largest body accepted; larger gets 413, such as 1mb or 512kb', parseByteSize, DEFAULT_MAX_BODY_BYTES)
    .option('--reject-invalid', 'answer 401 to an invalid or missing signature instead of 200')
    .option('--print-json', 'print each whole body after its line')
    .option('--forward-to <url>', 'pass each captured request on to your app and log its response; a URL without a path gets /webhooks/pllay')
    .option('--forward-sync', 'wait for the app and respond to the sender with its status and body (default: respond at once, forward in the background)')
    .option('--forward-invalid', 'forward requests whose signature is invalid or missing too')
    .option('--forward-timeout <duration>', `time the app has to respond to a forward (default: ${formatDurationFlag(DEFAULT_FORWARD_TIMEOUT_MS)})`, parseDuration)
    .option('--ui', `serve a web inspector of the captured events at ${INSPECTOR_PREFIX} on the same host and port`)
    .option('--ui-port <port>', 'serve the inspector on this port instead; 0 picks a free one (implies --ui)', parsePort)
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ pllay-hooks listen',
      '  $ pllay-hooks listen --port 0 --secret whsec_test_123 --reject-invalid',
      '  $ pllay-hooks listen --json | jq \'select(.signature != "valid")\'',
      '  $ pllay-hooks listen --secret whsec_test_123 --forward-to localhost:3000',
      '  $ pllay-hooks listen --secret whsec_test_123 --forward-to localhost:3000 --ui',
      '',
      'Answers 200 {"received":true} once the request is in the log. Stops on Ctrl-C or SIGTERM and exits 0.',
      'With --forward-to, the app\'s response is appended to the log as a delivery record of the event; a',
      'forward that is refused, times out or gets a 3xx, 4xx or 5xx is a failed delivery, which',
      '`pllay-hooks replay LOG --failed` sends again.',
      '',
      `With --ui, requests under ${INSPECTOR_PREFIX} go to the inspector instead of being captured. The page lists`,
      'the events live, shows each body, its headers and its verdict, and replays an event with the backoff',
      'of `pllay-hooks replay`, appending the delivery record to the log. It loads the end of the log at start.',
    ].join('\n'))
    .action(async (flags: ListenFlags, command: Command) => {
      const output = createOutput(context, command);
      context.exitCode = await runListen(context, output, flags);
    });
}

async function runListen(context: CliContext, output: Output, flags: ListenFlags): Promise<number> {
  const resolved = resolveSecrets(flags.secret, context.env);
  resolved.warnings.forEach((warning) => output.warn(warning));

  const forwarder = createForwarder(flags);
  const log = LogWriter.open(flags.log);
  const counts = { valid: 0, invalid: 0, missing: 0, unchecked: 0, rejected: 0, forwarded: 0, forwardFailed: 0 };
  const render = (event: CaptureEvent): void => {
    if (event.kind === 'captured') {
      counts[event.record.signature]++;
    } else if (event.kind === 'forwarded') {
      counts[event.attempt.ok ? 'forwarded' : 'forwardFailed']++;
    } else if (event.kind === 'too-large' || event.kind === 'aborted') {
      counts.rejected++;
    }
    renderCaptureEvent(output, event, { printJson: flags.printJson === true, forwarding: forwarder !== undefined });
  };

  const ui = await openInspector(output, flags, { log, secrets: resolved.secrets, forwarder }).catch(async (error: unknown) => {
    await log.close();
    throw error;
  });
  const sharedPort = ui !== undefined && flags.uiPort === undefined;
  const server = await startCaptureServer({
    host: flags.host,
    port: flags.port,
    secrets: resolved.secrets,
    log,
    maxBodyBytes: flags.maxBody,
    rejectInvalid: flags.rejectInvalid === true,
    ...(forwarder ? { forwarder } : {}),
    ...(sharedPort ? { intercept: ui.inspector.handle } : {}),
    // Without --ui the server reports to the terminal alone, so capture does no extra work.
    onEvent: ui === undefined ? render : (event) => {
      ui.inspector.publish(event);
      render(event);
    },
  }).catch(async (error: NodeJS.ErrnoException) => {
    await forwarder?.close();
    await log.close();
    throw listenFailure(error, { host: flags.host, port: flags.port, flag: '--port' });
  });
  const uiServer = await startUiServer(ui, flags).catch(async (error: NodeJS.ErrnoException) => {
    await server.close();
    await forwarder?.close();
    await log.close();
    throw listenFailure(error, { host: flags.host, port: flags.uiPort ?? flags.port, flag: '--ui-port' });
  });

  // The signal handlers are installed before the URL is printed, because a script that sends
  // SIGINT as soon as it reads the URL must get the summary and exit 0, not the default kill.
  const stopped = waitForStopSignal();
  announce(output, server.url, flags, resolved.secrets);
  if (ui !== undefined) {
    announceInspector(output, uiServer?.url ?? server.url, flags, ui.history);
  }
  await stopped;

  // The inspector ends its event streams first: the server's close waits for open connections.
  await ui?.inspector.close();
  await uiServer?.close();
  await server.close();
  await forwarder?.close();
  await log.close();
  const total = counts.valid + counts.invalid + counts.missing + counts.unchecked;
  const forwards = forwarder ? ` Forwarded: ${counts.forwarded} accepted by the app, ${counts.forwardFailed} failed.` : '';
  const replays = ui === undefined ? '' : ` Replayed from the inspector: ${ui.replays.delivered} delivered, ${ui.replays.failed} failed.`;
  output.info(
    `\nStopped. ${total} captured: ${counts.valid} valid, ${counts.invalid} invalid, ${counts.missing} missing, ` +
      `${counts.unchecked} unchecked; ${counts.rejected} rejected before capture.${forwards}${replays} Log: ${log.path}`,
  );
  return ExitCode.ok;
}

interface OpenInspector {
  inspector: Inspector;
  history: { entries: number; skipped: number };
  replays: { delivered: number; failed: number };
}

/** Creates the inspector with --ui or --ui-port, and loads the end of the log into it. */
async function openInspector(
  output: Output,
  flags: ListenFlags,
  options: { log: LogWriter; secrets: string[]; forwarder: Forwarder | undefined },
): Promise<OpenInspector | undefined> {
  if (flags.ui !== true && flags.uiPort === undefined) {
    return undefined;
  }

  const replays = { delivered: 0, failed: 0 };
  const inspector = new Inspector({
    log: options.log,
    secrets: options.secrets,
    ...(options.forwarder ? { forwardTarget: options.forwarder.options.url } : {}),
    onEvent: (event) => {
      if (event.kind === 'replayed') {
        replays[event.result.outcome === 'delivered' ? 'delivered' : 'failed']++;
      }
      renderInspectorEvent(output, event);
    },
  });
  return { inspector, history: await inspector.loadHistory(), replays };
}

function startUiServer(ui: OpenInspector | undefined, flags: ListenFlags): Promise<RunningInspectorServer | undefined> {
  if (ui === undefined || flags.uiPort === undefined) {
    return Promise.resolve(undefined);
  }
  return startInspectorServer(ui.inspector, { host: flags.host, port: flags.uiPort });
}

function createForwarder(flags: ListenFlags): Forwarder | undefined {
  if (flags.forwardTo === undefined) {
    const given = [
      flags.forwardSync ? '--forward-sync' : undefined,
      flags.forwardInvalid ? '--forward-invalid' : undefined,
      flags.forwardTimeout === undefined ? undefined : '--forward-timeout',
    ].filter((flag) => flag !== undefined);
    if (given.length > 0) {
      throw new UsageError('E_FORWARD_WITHOUT_TARGET', `${given.join(' and ')} needs --forward-to`, 'pass --forward-to URL, for example --forward-to localhost:3000');
    }
    return undefined;
  }

  return new Forwarder({
    url: normalizeTarget(flags.forwardTo),
    sync: flags.forwardSync === true,
    forwardInvalid: flags.forwardInvalid === true,
    ...(flags.forwardTimeout === undefined ? {} : { timeoutMs: flags.forwardTimeout }),
  });
}

function announce(output: Output, url: string, flags: ListenFlags, secrets: string[]): void {
  output.data({ event: 'listening', url, log: flags.log });
  output.result(`Listening on ${output.style.bold(`${url}${DEFAULT_WEBHOOK_PATH}`)} (any POST path is captured)`);

  if (flags.host === '0.0.0.0' || flags.host === '::') {
    output.warn(`listening on all interfaces (${flags.host}): anyone on your network can send events here`);
  }
  if (flags.forwardTo !== undefined) {
    const mode = flags.forwardSync ? 'waiting for its response' : 'in the background';
    output.result(`Forwarding to ${output.style.bold(normalizeTarget(flags.forwardTo).href)} ${mode}`);
  }
  if (secrets.length === 0) {
    output.warn(`no secret: signatures cannot be checked and every event is logged as unchecked. Pass --secret or set ${SECRET_ENV}`);
  } else {
    output.info(output.errorStyle.dim(`Verifying with ${secrets.map(fingerprint).join(', ')}; logging to ${flags.log}; Ctrl-C to stop`));
  }
}

function announceInspector(
  output: Output,
  serverUrl: string,
  flags: ListenFlags,
  history: { entries: number; skipped: number },
): void {
  // A browser cannot open the wildcard address, so the page is shown on the loopback one.
  const base = serverUrl.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
  const url = `${base}${INSPECTOR_PREFIX}`;
  output.data({ event: 'inspector', url });
  output.result(`Inspector on ${output.style.bold(url)}`);

  if (flags.host === '0.0.0.0' || flags.host === '::') {
    output.warn('the inspector is reachable from your network too: anyone on it can read the captured events and replay them');
  }
  if (history.entries > 0) {
    output.info(output.errorStyle.dim(`Inspector: ${history.entries} earlier events loaded from ${flags.log}`));
  }
  if (history.skipped > 0) {
    output.debug(`the inspector skipped ${history.skipped} lines at the end of ${flags.log} that are not capture or delivery records`);
  }
}

function renderInspectorEvent(output: Output, event: InspectorEvent): void {
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

function renderCaptureEvent(output: Output, event: CaptureEvent, options: { printJson: boolean; forwarding: boolean }): void {
  if (event.kind === 'log-failed') {
    output.error(`error: the capture log could not be written: ${event.error.message}`);
    return;
  }
  if (event.kind === 'too-large') {
    output.warn(`rejected a body over ${formatBytes(event.limit)} on ${event.path} with 413`);
    return;
  }
  if (event.kind === 'aborted') {
    output.warn(`a client disconnected before sending the whole body on ${event.path}; nothing was logged`);
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

  const style = output.style;
  if (event.kind === 'not-forwarded') {
    output.line(`${captureLine(output, event.capture)}  ${style.dim(`not forwarded: ${event.reason}`)}`);
  } else {
    output.data(event.delivery);
    output.line(`${captureLine(output, event.capture)}  ${responseText(output, event.attempt)}`);
  }
  printBody(output, event.capture, options.printJson);
}

function captureLine(output: Output, record: CaptureRecord): string {
  const style = output.style;
  const reason = record.signature === 'valid' ? '' : ` ${style.dim(`(${record.signature_reason})`)}`;
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

  const detail = attempt.ok ? style.dim(oneLine(attempt.snippet ?? '', 40)) : style.red(oneLine(describeAttempt(attempt), 60));
  return `${arrow} ${formatStatus(style, attempt.status)} ${formatDuration(attempt.durationMs)}  ${detail}`.trimEnd();
}

function printBody(output: Output, record: CaptureRecord, printJson: boolean): void {
  if (printJson) {
    output.line(record.body ?? `(binary body, ${record.size} bytes, stored as base64)`);
  }
}

function listenFailure(error: NodeJS.ErrnoException, where: { host: string; port: number; flag: string }): Error {
  if (error.code === 'EADDRINUSE') {
    return new PllayError('E_PORT_IN_USE', `port ${where.port} on ${where.host} is already in use`, {
      category: 'network',
      hint: `stop the other server, or pick another port with ${where.flag} (0 picks a free one)`,
      cause: error,
    });
  }
  return new PllayError('E_LISTEN_FAILED', `cannot listen on ${where.host}:${where.port}: ${error.message}`, {
    category: 'network',
    hint: `check --host and ${where.flag}`,
    cause: error,
  });
}

/** Resolves on the first SIGINT or SIGTERM. */
function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
