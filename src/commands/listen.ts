import { Command } from 'commander';

import { DEFAULT_MAX_BODY_BYTES, startCaptureServer, type CaptureEvent } from '../capture/server.js';
import { DEFAULT_WEBHOOK_PATH } from '../delivery/target.js';
import { ExitCode, PllayError } from '../errors.js';
import { LogWriter } from '../log/index.js';
import { resolveSecrets, SECRET_ENV } from '../secret.js';
import { fingerprint } from '../signature/index.js';
import { formatBytes, formatClock, formatVerdict } from '../ui/format.js';
import type { Output } from '../ui/output.js';
import { createOutput, type CliContext } from './context.js';
import { collect, parseByteSize, parsePort } from './options.js';

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
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ pllay-hooks listen',
      '  $ pllay-hooks listen --port 0 --secret whsec_test_123 --reject-invalid',
      '  $ pllay-hooks listen --json | jq \'select(.signature != "valid")\'',
      '',
      'Answers 200 {"received":true} once the request is in the log. Stops on Ctrl-C or SIGTERM and exits 0.',
    ].join('\n'))
    .action(async (flags: ListenFlags, command: Command) => {
      const output = createOutput(context, command);
      context.exitCode = await runListen(context, output, flags);
    });
}

async function runListen(context: CliContext, output: Output, flags: ListenFlags): Promise<number> {
  const resolved = resolveSecrets(flags.secret, context.env);
  resolved.warnings.forEach((warning) => output.warn(warning));

  const log = LogWriter.open(flags.log);
  const counts = { valid: 0, invalid: 0, missing: 0, unchecked: 0, rejected: 0 };
  const server = await startCaptureServer({
    host: flags.host,
    port: flags.port,
    secrets: resolved.secrets,
    log,
    maxBodyBytes: flags.maxBody,
    rejectInvalid: flags.rejectInvalid === true,
    onEvent: (event) => {
      if (event.kind === 'captured') {
        counts[event.record.signature]++;
      } else if (event.kind !== 'log-failed') {
        counts.rejected++;
      }
      renderCaptureEvent(output, event, flags.printJson === true);
    },
  }).catch(async (error: NodeJS.ErrnoException) => {
    await log.close();
    throw listenFailure(error, flags);
  });

  // The signal handlers are installed before the URL is printed, because a script that sends
  // SIGINT as soon as it reads the URL must get the summary and exit 0, not the default kill.
  const stopped = waitForStopSignal();
  announce(output, server.url, flags, resolved.secrets);
  await stopped;

  await server.close();
  await log.close();
  const total = counts.valid + counts.invalid + counts.missing + counts.unchecked;
  output.info(
    `\nStopped. ${total} captured: ${counts.valid} valid, ${counts.invalid} invalid, ${counts.missing} missing, ` +
      `${counts.unchecked} unchecked; ${counts.rejected} rejected before capture. Log: ${log.path}`,
  );
  return ExitCode.ok;
}

function announce(output: Output, url: string, flags: ListenFlags, secrets: string[]): void {
  output.data({ event: 'listening', url, log: flags.log });
  output.result(`Listening on ${output.style.bold(`${url}${DEFAULT_WEBHOOK_PATH}`)} (any POST path is captured)`);

  if (flags.host === '0.0.0.0' || flags.host === '::') {
    output.warn(`listening on all interfaces (${flags.host}): anyone on your network can send events here`);
  }
  if (secrets.length === 0) {
    output.warn(`no secret: signatures cannot be checked and every event is logged as unchecked. Pass --secret or set ${SECRET_ENV}`);
  } else {
    output.info(output.errorStyle.dim(`Verifying with ${secrets.map(fingerprint).join(', ')}; logging to ${flags.log}; Ctrl-C to stop`));
  }
}

function renderCaptureEvent(output: Output, event: CaptureEvent, printJson: boolean): void {
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

  const { record } = event;
  output.data(record);

  const style = output.style;
  const reason = record.signature === 'valid' ? '' : ` ${style.dim(`(${record.signature_reason})`)}`;
  output.line(
    `${style.dim(formatClock(new Date(record.received_at)))} ${style.cyan('-->')} ${style.bold((record.type ?? '(not an event)').padEnd(20))} ` +
      `${style.dim(record.event_id ?? '-')}  ${formatVerdict(style, record.signature)}${reason}  ${style.dim(formatBytes(record.size))}`,
  );
  if (printJson) {
    output.line(record.body ?? `(binary body, ${record.size} bytes, stored as base64)`);
  }
}

function listenFailure(error: NodeJS.ErrnoException, flags: ListenFlags): Error {
  if (error.code === 'EADDRINUSE') {
    return new PllayError('E_PORT_IN_USE', `port ${flags.port} on ${flags.host} is already in use`, {
      category: 'network',
      hint: 'stop the other server, or pick another port with --port (0 picks a free one)',
      cause: error,
    });
  }
  return new PllayError('E_LISTEN_FAILED', `cannot listen on ${flags.host}:${flags.port}: ${error.message}`, {
    category: 'network',
    hint: 'check --host and --port',
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
