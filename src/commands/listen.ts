import { Command } from 'commander';

import { startCaptureServer, type CaptureEvent } from '../capture/server.js';
import type { FlagValues, SettingValues } from '../config/index.js';
import { DEFAULT_WEBHOOK_PATH } from '../delivery/target.js';
import { ExitCode, PllayError } from '../errors.js';
import { LogWriter } from '../log/index.js';
import { SECRET_ENV } from '../secret.js';
import { fingerprint } from '../signature/index.js';
import { formatBytes, formatClock, formatVerdict } from '../ui/format.js';
import type { Output } from '../ui/output.js';
import { createOutput, type CliContext } from './context.js';
import { collect, parseByteSize, parseHeaderName, parsePort } from './options.js';
import { commandSettings, signatureFlagNames, signatureFlags } from './settings.js';

export { DEFAULT_CAPTURE_LOG, DEFAULT_LISTEN_PORT } from '../config/defaults.js';

// No defaults on the options that a config file can set, so that a flag that was not given is undefined.
interface ListenFlags {
  host?: string;
  port?: number;
  log?: string;
  secret?: string[];
  maxBody?: number;
  rejectInvalid?: boolean;
  printJson?: boolean;
  signatureHeader?: string;
  signaturePrefix?: string;
}

/** Address and log of the server, after merging flags, environment and config. */
interface ListenSettings {
  host: string;
  port: number;
  log: string;
}

export function listenCommand(context: CliContext): Command {
  return new Command('listen')
    .description('run a local capture server that verifies, shows and logs every webhook it receives')
    .option('--host <host>', 'interface to bind; 0.0.0.0 exposes the server to your network (default: 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default: 7575)', parsePort)
    .option('--log <file>', 'capture log to append to, NDJSON (default: .pllay-hooks/capture.ndjson)')
    .option('--secret <secret>', `secret to verify with; repeat for rotation (default: $${SECRET_ENV}, then the config file)`, collect)
    .option('--max-body <size>', 'largest body accepted; larger gets 413, such as 1mb or 512kb (default: 1mb)', parseByteSize)
    .option('--reject-invalid', 'answer 401 to an invalid or missing signature instead of 200')
    .option('--print-json', 'print each whole body after its line')
    .option('--signature-header <name>', 'also look for the signature in this header (pllay-signature and x-pllay-signature always count)', parseHeaderName)
    .option('--signature-prefix <text>', 'also accept this text before the hex signature (sha256= always counts)')
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ pllay-hooks listen',
      '  $ pllay-hooks listen --port 0 --secret whsec_test_123 --reject-invalid',
      '  $ pllay-hooks listen --secret whsec_new --secret whsec_old      (rotation: says which one matched)',
      '  $ pllay-hooks listen --json | jq \'select(.signature != "valid")\'',
      '',
      'Answers 200 {"received":true} once the request is in the log. Stops on Ctrl-C or SIGTERM and exits 0.',
      'Host, port, log, body limit and secrets can come from a config file (see: pllay-hooks config).',
    ].join('\n'))
    .action(async (flags: ListenFlags, command: Command) => {
      const output = createOutput(context, command);
      const { values } = await commandSettings(context, command, output, listenFlagValues(flags), {
        'listen.host': '--host',
        'listen.port': '--port',
        'listen.log': '--log',
        'listen.maxBody': '--max-body',
        secrets: '--secret',
        ...signatureFlagNames,
      });
      context.exitCode = await runListen(output, values, flags);
    });
}

function listenFlagValues(flags: ListenFlags): FlagValues {
  return {
    'listen.host': flags.host,
    'listen.port': flags.port,
    'listen.log': flags.log,
    'listen.maxBody': flags.maxBody,
    secrets: flags.secret,
    ...signatureFlags(flags),
  };
}

async function runListen(output: Output, values: SettingValues, flags: ListenFlags): Promise<number> {
  const settings: ListenSettings = { host: values['listen.host'], port: values['listen.port'], log: values['listen.log'] };
  const secrets = values.secrets;

  const log = LogWriter.open(settings.log);
  const counts = { valid: 0, invalid: 0, missing: 0, unchecked: 0, rejected: 0 };
  const server = await startCaptureServer({
    host: settings.host,
    port: settings.port,
    secrets,
    log,
    maxBodyBytes: values['listen.maxBody'],
    rejectInvalid: flags.rejectInvalid === true,
    signatureHeader: values['signature.header'],
    signaturePrefix: values['signature.prefix'],
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
    throw listenFailure(error, settings);
  });

  announce(output, server.url, settings, secrets);
  await waitForStopSignal();

  await server.close();
  await log.close();
  const total = counts.valid + counts.invalid + counts.missing + counts.unchecked;
  output.info(
    `\nStopped. ${total} captured: ${counts.valid} valid, ${counts.invalid} invalid, ${counts.missing} missing, ` +
      `${counts.unchecked} unchecked; ${counts.rejected} rejected before capture. Log: ${log.path}`,
  );
  return ExitCode.ok;
}

function announce(output: Output, url: string, settings: ListenSettings, secrets: string[]): void {
  output.data({ event: 'listening', url, log: settings.log });
  output.result(`Listening on ${output.style.bold(`${url}${DEFAULT_WEBHOOK_PATH}`)} (any POST path is captured)`);

  if (settings.host === '0.0.0.0' || settings.host === '::') {
    output.warn(`listening on all interfaces (${settings.host}): anyone on your network can send events here`);
  }
  if (secrets.length === 0) {
    output.warn(`no secret: signatures cannot be checked and every event is logged as unchecked. Pass --secret, set ${SECRET_ENV}, or add "secretEnv" to a config file`);
  } else {
    output.info(output.errorStyle.dim(`Verifying with ${secrets.map(fingerprint).join(', ')}; logging to ${settings.log}; Ctrl-C to stop`));
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
  const matched = record.secret_fingerprint === undefined ? '' : ` ${style.dim(`(secret ${record.secret_fingerprint})`)}`;
  const reason = record.signature === 'valid' ? matched : ` ${style.dim(`(${record.signature_reason})`)}`;
  output.line(
    `${style.dim(formatClock(new Date(record.received_at)))} ${style.cyan('-->')} ${style.bold((record.type ?? '(not an event)').padEnd(20))} ` +
      `${style.dim(record.event_id ?? '-')}  ${formatVerdict(style, record.signature)}${reason}  ${style.dim(formatBytes(record.size))}`,
  );
  if (printJson) {
    output.line(record.body ?? `(binary body, ${record.size} bytes, stored as base64)`);
  }
}

function listenFailure(error: NodeJS.ErrnoException, settings: ListenSettings): Error {
  if (error.code === 'EADDRINUSE') {
    return new PllayError('E_PORT_IN_USE', `port ${settings.port} on ${settings.host} is already in use`, {
      category: 'network',
      hint: 'stop the other server, or pick another port with --port (0 picks a free one)',
      cause: error,
    });
  }
  return new PllayError('E_LISTEN_FAILED', `cannot listen on ${settings.host}:${settings.port}: ${error.message}`, {
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
