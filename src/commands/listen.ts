import { Command } from 'commander';

import { DEFAULT_FORWARD_TIMEOUT_MS, Forwarder } from '../capture/forward.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, startCaptureServer, type CaptureEvent } from '../capture/server.js';
import type { FlagValues, SettingValues } from '../config/index.js';
import { DEFAULT_WEBHOOK_PATH, normalizeTarget } from '../delivery/target.js';
import { ExitCode, PllayError, UsageError } from '../errors.js';
import { INSPECTOR_PREFIX, Inspector, startInspectorServer, type RunningInspectorServer } from '../inspector/index.js';
import { LogWriter, noteNewFile } from '../log/index.js';
import { SECRET_ENV } from '../secret.js';
import { fingerprint } from '../signature/index.js';
import { renderCaptureEvent } from '../ui/capture.js';
import { announceInspector, renderInspectorEvent } from '../ui/inspector.js';
import type { Output } from '../ui/output.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';
import { collect, formatDurationFlag, parseByteSize, parseDuration, parseHeaderName, parsePort, parsePositiveDuration } from './options.js';
import { commandSettings, signatureFlagNames, signatureFlags } from './settings.js';
import { addTlsOptions, tlsOptions, type TlsFlags } from './tls.js';

export { DEFAULT_CAPTURE_LOG, DEFAULT_LISTEN_PORT } from '../config/defaults.js';

// No defaults on the options that a config file can set, so that a flag that was not given is undefined.
interface ListenFlags extends TlsFlags {
  host?: string;
  port?: number;
  log?: string;
  secret?: string[];
  maxBody?: number;
  headersTimeout?: number;
  requestTimeout?: number;
  rejectInvalid?: boolean;
  printJson?: boolean;
  signatureHeader?: string;
  signaturePrefix?: string;
  forwardTo?: string;
  forwardSync?: boolean;
  forwardInvalid?: boolean;
  forwardTimeout?: number;
  ui?: boolean;
  uiPort?: number;
}

/** Address, log and forward target of the server, after merging flags, environment and config. */
interface ListenSettings {
  host: string;
  port: number;
  log: string;
  forwardTo: string | undefined;
}

export function listenCommand(context: CliContext): Command {
  const command = new Command('listen')
    .description(COMMAND_DESCRIPTIONS.listen)
    .option('--host <host>', 'interface to bind; 0.0.0.0 exposes the server to your network (default: 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default: 7575)', parsePort)
    .option('--log <file>', 'capture log to append to, NDJSON (default: .pllay-hooks/capture.ndjson)')
    .option('--secret <secret>', `secret to verify with; repeat for rotation (default: $${SECRET_ENV}, then the config file)`, collect)
    .option('--max-body <size>', 'largest body accepted; larger gets 413, such as 1mb or 512kb (default: 1mb)', parseByteSize)
    .option('--headers-timeout <duration>', `time a client has to send the request headers; slower gets 408 (default: ${formatDurationFlag(DEFAULT_HEADERS_TIMEOUT_MS)})`, parseDuration)
    .option('--request-timeout <duration>', `time a client has to send the whole request; slower gets 408 (default: ${formatDurationFlag(DEFAULT_REQUEST_TIMEOUT_MS)})`, parseDuration)
    .option('--reject-invalid', 'answer 401 to an invalid or missing signature instead of 200')
    .option('--print-json', 'print each whole body after its line')
    .option('--signature-header <name>', 'also look for the signature in this header (pllay-signature and x-pllay-signature always count)', parseHeaderName)
    .option('--signature-prefix <text>', 'also accept this text before the hex signature (sha256= always counts)')
    .option('--forward-to <url>', 'pass each captured request on to your app and log its response; a URL without a path gets /webhooks/pllay')
    .option('--forward-sync', 'wait for the app and respond to the sender with its status and body (default: respond at once, forward in the background)')
    .option('--forward-invalid', 'forward requests whose signature is invalid or missing too')
    .option('--forward-timeout <duration>', `time the app has to respond to a forward (default: ${formatDurationFlag(DEFAULT_FORWARD_TIMEOUT_MS)})`, parsePositiveDuration)
    .option('--ui', `serve a web inspector of the captured events at ${INSPECTOR_PREFIX} on the same host and port`)
    .option('--ui-port <port>', 'serve the inspector on this port instead; 0 picks a free one (implies --ui)', parsePort)
    .option('--no-ui', 'serve no inspector, even when the config file turns it on');

  return addTlsOptions(command, 'an https --forward-to app')
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ pllay-hooks listen',
      '  $ pllay-hooks listen --port 0 --secret whsec_test_123 --reject-invalid',
      '  $ pllay-hooks listen --secret whsec_new --secret whsec_old      (rotation: says which one matched)',
      '  $ pllay-hooks listen --json | jq \'select(.kind == "capture" and .signature != "valid")\'',
      '  $ pllay-hooks listen --secret whsec_test_123 --forward-to localhost:3000',
      '  $ pllay-hooks listen --secret whsec_test_123 --forward-to localhost:3000 --ui',
      '',
      'Answers 200 {"received":true} once the request is in the log. Stops on Ctrl-C or SIGTERM and exits 0.',
      'A body over --max-body gets 413 and a compressed one (content-encoding such as gzip) gets 415;',
      'neither is logged, and the connection is closed. GET / and GET /health answer 200.',
      'With --forward-to, the app\'s response is appended to the log as a delivery record of the event; a',
      'forward that is refused, times out or gets a 3xx, 4xx or 5xx is a failed delivery, which',
      '`pllay-hooks replay LOG --failed` sends again.',
      'Host, port, log, body limit, timeouts, forward target, inspector and secrets can come from a',
      'config file (see: pllay-hooks config).',
      '',
      `With --ui, requests under ${INSPECTOR_PREFIX} go to the inspector instead of being captured. The page lists`,
      'the events live, shows each body, its headers and its verdict, and replays an event with the backoff',
      'of `pllay-hooks replay`, appending the delivery record to the log. It loads the end of the log at start.',
    ].join('\n'))
    .action(async (flags: ListenFlags, command: Command) => {
      const output = createOutput(context, command);
      const { values, secretEnv } = await commandSettings(context, command, output, listenFlagValues(flags), {
        'listen.host': '--host',
        'listen.port': '--port',
        'listen.log': '--log',
        'listen.maxBody': '--max-body',
        'listen.headersTimeout': '--headers-timeout',
        'listen.requestTimeout': '--request-timeout',
        'listen.forwardTo': '--forward-to',
        'listen.ui': flags.ui === false ? '--no-ui' : '--ui',
        'listen.uiPort': '--ui-port',
        secrets: '--secret',
        ...signatureFlagNames,
      });
      const { ui: _ui, uiPort: _uiPort, ...otherFlags } = flags;
      const listenFlags = { ...otherFlags, ...inspectorFlags(flags, values) };
      context.exitCode = await output.batched(() => runListen(output, values, listenFlags, secretEnv));
    });
}

function listenFlagValues(flags: ListenFlags): FlagValues {
  return {
    'listen.host': flags.host,
    'listen.port': flags.port,
    'listen.log': flags.log,
    'listen.maxBody': flags.maxBody,
    'listen.headersTimeout': flags.headersTimeout,
    'listen.requestTimeout': flags.requestTimeout,
    'listen.forwardTo': flags.forwardTo,
    'listen.ui': flags.ui,
    'listen.uiPort': flags.uiPort,
    secrets: flags.secret,
    ...signatureFlags(flags),
  };
}

/**
 * Decides whether the inspector runs, and on which port, from --ui,
 * --ui-port and their config keys. A port turns the inspector on, unless
 * --no-ui turns it off.
 */
function inspectorFlags(flags: ListenFlags, values: SettingValues): Pick<ListenFlags, 'ui' | 'uiPort'> {
  const uiPort = values['listen.uiPort'];
  if (flags.ui === false || uiPort === undefined) {
    return { ui: values['listen.ui'] };
  }
  return { ui: true, uiPort };
}

async function runListen(output: Output, values: SettingValues, flags: ListenFlags, secretEnv: string): Promise<number> {
  const settings: ListenSettings = {
    host: values['listen.host'],
    port: values['listen.port'],
    log: values['listen.log'],
    forwardTo: values['listen.forwardTo'],
  };
  const secrets = values.secrets;
  const timeouts = listenTimeouts(values);

  const forwarder = createForwarder(settings, flags);
  // The log is opened before the port, so that an unwritable log fails at start. When the port
  // then fails, the empty log file and the folders made for it are removed again.
  const newLog = noteNewFile(settings.log);
  const log = LogWriter.open(settings.log);
  const counts = { valid: 0, invalid: 0, missing: 0, unchecked: 0, rejected: 0, forwarded: 0, forwardFailed: 0 };
  const render = (event: CaptureEvent): void => {
    if (event.kind === 'captured') {
      counts[event.record.signature]++;
    } else if (event.kind === 'forwarded') {
      counts[event.attempt.ok ? 'forwarded' : 'forwardFailed']++;
    } else if (event.kind === 'too-large' || event.kind === 'unsupported-encoding' || event.kind === 'aborted') {
      counts.rejected++;
    }
    renderCaptureEvent(output, event, { printJson: flags.printJson === true, forwarding: forwarder !== undefined });
  };

  const signature = { header: values['signature.header'], prefix: values['signature.prefix'] };
  const ui = await openInspector(output, flags, { log, secrets, forwarder, signature }).catch(async (error: unknown) => {
    await log.close();
    throw error;
  });
  const sharedPort = ui !== undefined && flags.uiPort === undefined;
  const server = await startCaptureServer({
    host: settings.host,
    port: settings.port,
    secrets,
    log,
    maxBodyBytes: values['listen.maxBody'],
    ...timeouts,
    rejectInvalid: flags.rejectInvalid === true,
    signatureHeader: values['signature.header'],
    signaturePrefix: values['signature.prefix'],
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
    newLog.removeIfEmpty();
    throw listenFailure(error, { host: settings.host, port: settings.port, flag: '--port' });
  });
  const uiServer = await startUiServer(ui, settings, flags).catch(async (error: NodeJS.ErrnoException) => {
    await server.close();
    await forwarder?.close();
    await log.close();
    newLog.removeIfEmpty();
    throw listenFailure(error, { host: settings.host, port: flags.uiPort ?? settings.port, flag: '--ui-port' });
  });

  // The signal handlers are installed before the URL is printed, because a script that sends
  // SIGINT as soon as it reads the URL must get the summary and exit 0, not the default kill.
  const stopped = waitForStopSignal();
  announce(output, {
    url: server.url,
    settings,
    secrets,
    secretEnv,
    sync: flags.forwardSync === true,
    rejectInvalid: flags.rejectInvalid === true,
  });
  if (ui !== undefined) {
    announceInspector(output, { serverUrl: uiServer?.url ?? server.url, host: settings.host, log: settings.log, history: ui.history });
  }
  await stopped;

  // The inspector ends its event streams first, because the server's close waits for open connections.
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
  options: { log: LogWriter; secrets: string[]; forwarder: Forwarder | undefined; signature: { header: string; prefix: string } },
): Promise<OpenInspector | undefined> {
  if (flags.ui !== true && flags.uiPort === undefined) {
    return undefined;
  }

  const replays = { delivered: 0, failed: 0 };
  const inspector = new Inspector({
    log: options.log,
    secrets: options.secrets,
    signatureHeader: options.signature.header,
    signaturePrefix: options.signature.prefix,
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

function startUiServer(
  ui: OpenInspector | undefined,
  settings: ListenSettings,
  flags: ListenFlags,
): Promise<RunningInspectorServer | undefined> {
  if (ui === undefined || flags.uiPort === undefined) {
    return Promise.resolve(undefined);
  }
  return startInspectorServer(ui.inspector, { host: settings.host, port: flags.uiPort });
}

/** Reads the two client timeouts; the headers are part of the request, so theirs cannot be longer. */
function listenTimeouts(values: SettingValues): { headersTimeoutMs: number; requestTimeoutMs: number } {
  const headersTimeoutMs = values['listen.headersTimeout'];
  const requestTimeoutMs = values['listen.requestTimeout'];

  if (headersTimeoutMs < 1 || requestTimeoutMs < 1) {
    throw new UsageError('E_LISTEN_TIMEOUTS', 'the headers and request timeouts must be longer than 0', 'pass a duration such as 10s or 500ms');
  }
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new UsageError(
      'E_LISTEN_TIMEOUTS',
      `the headers timeout (${formatDurationFlag(headersTimeoutMs)}) is longer than the request timeout (${formatDurationFlag(requestTimeoutMs)})`,
      'lower --headers-timeout, or raise --request-timeout',
    );
  }
  return { headersTimeoutMs, requestTimeoutMs };
}

function createForwarder(settings: ListenSettings, flags: ListenFlags): Forwarder | undefined {
  if (settings.forwardTo === undefined) {
    const given = [
      flags.forwardSync ? '--forward-sync' : undefined,
      flags.forwardInvalid ? '--forward-invalid' : undefined,
      flags.forwardTimeout === undefined ? undefined : '--forward-timeout',
      flags.insecure ? '--insecure' : undefined,
      flags.caCert === undefined ? undefined : '--ca-cert',
    ].filter((flag) => flag !== undefined);
    if (given.length > 0) {
      throw new UsageError('E_FORWARD_WITHOUT_TARGET', `${given.join(' and ')} needs --forward-to`, 'pass --forward-to URL, for example --forward-to localhost:3000');
    }
    return undefined;
  }

  const tls = tlsOptions(flags);
  return new Forwarder({
    url: normalizeTarget(settings.forwardTo),
    sync: flags.forwardSync === true,
    forwardInvalid: flags.forwardInvalid === true,
    ...(flags.forwardTimeout === undefined ? {} : { timeoutMs: flags.forwardTimeout }),
    ...(tls ? { tls } : {}),
  });
}

interface Announcement {
  url: string;
  settings: ListenSettings;
  secrets: string[];
  /** Environment variable that the secret is read from. */
  secretEnv: string;
  sync: boolean;
  rejectInvalid: boolean;
}

function announce(output: Output, { url, settings, secrets, secretEnv, sync, rejectInvalid }: Announcement): void {
  output.data({ kind: 'listening', url, log: settings.log });
  output.result(`Listening on ${output.style.bold(`${url}${DEFAULT_WEBHOOK_PATH}`)} (any POST path is captured)`);

  if (settings.host === '0.0.0.0' || settings.host === '::') {
    output.warn(`listening on all interfaces (${settings.host}): anyone on your network can send events here`);
  }
  if (settings.forwardTo !== undefined) {
    const mode = sync ? 'waiting for its response' : 'in the background';
    output.result(`Forwarding to ${output.style.bold(normalizeTarget(settings.forwardTo).href)} ${mode}`);
  }
  if (secrets.length === 0) {
    const rejecting = rejectInvalid ? '; --reject-invalid has no effect, since nothing can be called invalid' : '';
    output.warn(`no secret: signatures cannot be checked and every event is logged as unchecked${rejecting}. Pass --secret or set ${secretEnv}`);
  } else {
    output.info(output.errorStyle.dim(`Verifying with ${secrets.map(fingerprint).join(', ')}; logging to ${settings.log}; Ctrl-C to stop`));
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
