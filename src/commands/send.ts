import { Command } from 'commander';

import { eventOptions, type EventOverride, type SettingValues } from '../config/index.js';
import { normalizeTarget } from '../delivery/target.js';
import { parseHeaderArgument, rejectSignatureHeader } from '../delivery/headers.js';
import { describeAttempt } from '../delivery/outcome.js';
import { sendEvents, type SendItem, type SendResult } from '../delivery/send.js';
import { UsageError, ExitCode } from '../errors.js';
import { assertEventType, EVENT_TYPE_NAMES, generateEvent } from '../events/index.js';
import { LogWriter } from '../log/index.js';
import { requireSigningSecret } from '../secret.js';
import { responseStart, formatBytes, formatDuration, formatStatus, oneLine } from '../ui/format.js';
import type { Output } from '../ui/output.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';
import { askForEventType } from './event-type.js';
import { eventChanges, parseEventId, parseUnixSeconds, SET_NUMBER_HELP } from './generate.js';
import { readInputSource } from './input-files.js';
import { collect, integerAtLeast, parseHeaderName, parsePositiveDuration } from './options.js';
import { commandSettings, signatureFlagNames, signatureFlags } from './settings.js';
import { addTlsOptions, tlsOptions, type TlsFlags } from './tls.js';

interface SendFlags extends TlsFlags {
  to?: string;
  all?: boolean;
  count: number;
  concurrency: number;
  payload?: string;
  header?: string[];
  timeout?: number;
  log?: string;
  secret?: string[];
  set?: string[];
  data?: string;
  id?: string;
  created?: number;
  signatureHeader?: string;
  signaturePrefix?: string;
}

export function sendCommand(context: CliContext): Command {
  const command = new Command('send')
    .description(COMMAND_DESCRIPTIONS.send)
    .argument('[type...]', 'event types to send (see: pllay-hooks events)')
    .option('--to <url>', 'target URL or host:port; a URL without a path gets /webhooks/pllay')
    .option('--all', 'send one event of every type')
    .option('--count <n>', 'events of each type, each with a fresh id', integerAtLeast(1), 1)
    .option('--concurrency <n>', 'deliveries in flight at once', integerAtLeast(1), 1)
    .option('--payload <file>', 'send the exact bytes of FILE (- reads stdin), signed, instead of a generated event')
    .option('--header <"name: value">', 'add a request header (repeatable)', collect)
    .option('--timeout <duration>', 'time allowed for each delivery, such as 10s or 500ms (default: 30s)', parsePositiveDuration)
    .option('--log <file>', 'append a delivery record per event to FILE (NDJSON)')
    .option('--secret <secret>', 'signing secret (default: $PLLAY_WEBHOOK_SECRET, then the config file)', collect)
    .option('--signature-header <name>', 'header that carries the signature (default: pllay-signature)', parseHeaderName)
    .option('--signature-prefix <text>', 'text before the hex signature, such as sha256= (default: none)')
    .option('--set <path=value>', `set a field of each generated envelope (repeatable). ${SET_NUMBER_HELP}`, collect)
    .option('--data <file>', 'merge the JSON object in FILE over each data.object')
    .option('--id <id>', 'envelope id of the generated event (only with a single event)', parseEventId)
    .option('--created <unix-seconds>', 'envelope created time of generated events in unix seconds, 2000 to 2100', parseUnixSeconds);

  return addTlsOptions(command, 'an https target')
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ pllay-hooks send payment.succeeded --to localhost:3000',
      '  $ pllay-hooks send --all --to http://127.0.0.1:3000/webhooks/pllay',
      '  $ pllay-hooks send wager.created --count 100 --concurrency 16 --to :3000 --json',
      '  $ pllay-hooks send --payload ./event.json --to localhost:3000',
      '  $ pllay-hooks send payment.succeeded --signature-header X-PLLAY-Signature --signature-prefix sha256=',
      '  $ pllay-hooks send                      (on a terminal: pick the type from a list)',
      '',
      'The target, secret, headers, timeout and signature format can come from a config file',
      '(see: pllay-hooks init, pllay-hooks config). Flags win over the environment, which wins over the file.',
      '',
      'Exits 0 when every delivery got a 2xx, 1 when any did not, 2 for bad usage, 130 on Ctrl-C.',
      'The first Ctrl-C starts no new delivery and waits for those in flight; a second cancels them.',
    ].join('\n'))
    .action(async (types: string[], flags: SendFlags, command: Command) => {
      const output = createOutput(context, command);
      context.exitCode = await output.batched(() => runSend(context, output, command, types, flags));
    });
}

async function runSend(context: CliContext, output: Output, command: Command, types: string[], flags: SendFlags): Promise<number> {
  const headers = flags.header === undefined ? undefined : Object.fromEntries(flags.header.map(parseHeaderArgument));
  const { values, settings, secretEnv } = await commandSettings(
    context,
    command,
    output,
    { target: flags.to, secrets: flags.secret, headers, timeout: flags.timeout, ...signatureFlags(flags) },
    { target: '--to', secrets: '--secret', headers: '--header', timeout: '--timeout', ...signatureFlagNames },
  );
  rejectSignatureHeader(headers ?? {}, values['signature.header']);
  const secret = requireSigningSecret({ secrets: values.secrets, secretEnv });
  const url = normalizeTarget(requireTarget(values.target), values.path);
  output.debug(`target ${url.href} from ${settings.target.origin}; secret from ${settings.secrets.origin}`);

  const selected = await selectTypes(context, output, types, flags);
  const items = await buildItems(context, selected, flags, values.events);
  const tls = tlsOptions(flags);
  const log = flags.log === undefined ? undefined : LogWriter.open(flags.log);
  const stop = new AbortController();
  const cancel = new AbortController();
  const onSignal = (): void => interrupt(output, stop, cancel);

  output.line(`Sending ${items.length} event${items.length === 1 ? '' : 's'} to ${output.style.bold(url.href)}`);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await sendEvents({
      items,
      url,
      secret,
      headers: values.headers,
      ...signatureOptions(values),
      concurrency: flags.concurrency,
      timeoutMs: values.timeout,
      ...(log ? { log } : {}),
      ...(tls ? { tls } : {}),
      stopSignal: stop.signal,
      signal: cancel.signal,
      onResult: (result) => renderResult(output, result),
    });

    const cancelled = summary.cancelled > 0 ? `, ${summary.cancelled} cancelled` : '';
    output.line(
      `\n${summary.delivered} delivered, ${summary.failed} failed${cancelled} in ${formatDuration(summary.durationMs)}` +
        (log ? `; log: ${log.path}` : ''),
    );
    if (stop.signal.aborted) {
      const notSent = items.length - summary.total;
      output.info(`Interrupted: ${summary.delivered} of ${items.length} events delivered, ${notSent} not sent.`);
      return ExitCode.interrupted;
    }
    return summary.failed === 0 ? ExitCode.ok : ExitCode.failure;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await log?.close();
  }
}

/** First Ctrl-C: no new delivery starts. Second: the deliveries in flight are cancelled too. */
function interrupt(output: Output, stop: AbortController, cancel: AbortController): void {
  if (!stop.signal.aborted) {
    output.info('\nStopping after the deliveries in flight; press Ctrl-C again to cancel them.');
    stop.abort();
  } else if (!cancel.signal.aborted) {
    cancel.abort();
  }
}

/** Returns the signature header and value prefix that each delivery uses. */
function signatureOptions(values: SettingValues): { signatureHeader: string; signaturePrefix: string } {
  return { signatureHeader: values['signature.header'], signaturePrefix: values['signature.prefix'] };
}

function requireTarget(to: string | undefined): string {
  if (to === undefined) {
    throw new UsageError(
      'E_NO_TARGET',
      'no target: send needs the URL of your webhook endpoint',
      'pass --to URL (for example --to localhost:3000), set PLLAY_HOOKS_TARGET, or add "target" to a config file (pllay-hooks init writes one)',
    );
  }
  return to;
}

/** Returns the types named on the command line, every type with --all, or one picked from a list on a terminal. */
async function selectTypes(context: CliContext, output: Output, types: string[], flags: SendFlags): Promise<string[]> {
  if (flags.payload !== undefined) {
    rejectPayloadWithGenerationFlags(types, flags);
    return [];
  }
  if (flags.all) {
    return [...EVENT_TYPE_NAMES];
  }
  if (types.length > 0) {
    return types;
  }
  return [await askForEventType(context, output, 'name one or more types, or pass --all')];
}

/** Rejects event types, --all and the flags that change a generated event, which --payload would ignore. */
function rejectPayloadWithGenerationFlags(types: string[], flags: SendFlags): void {
  if (types.length > 0 || flags.all) {
    throw new UsageError(
      'E_PAYLOAD_WITH_TYPES',
      '--payload sends a file as it is, so it cannot be combined with event types or --all',
      'leave out the event types and --all to send the file, or leave out --payload to send generated events',
    );
  }

  const changeFlags = [
    flags.id === undefined ? undefined : '--id',
    flags.created === undefined ? undefined : '--created',
    flags.set === undefined ? undefined : '--set',
    flags.data === undefined ? undefined : '--data',
  ].filter((flag) => flag !== undefined);
  if (changeFlags.length > 0) {
    throw new UsageError(
      'E_PAYLOAD_WITH_CHANGES',
      `--payload sends a file as it is, so ${listFlags(changeFlags)} cannot change it`,
      'edit the file instead, or leave out --payload to send a generated event with these changes',
    );
  }
}

/** Joins flag names as a sentence does: `--id`, `--id and --set`, `--id, --set and --data`. */
function listFlags(flags: string[]): string {
  return flags.length === 1 ? flags[0]! : `${flags.slice(0, -1).join(', ')} and ${flags.at(-1)}`;
}

async function buildItems(
  context: CliContext,
  selected: string[],
  flags: SendFlags,
  overrides: Record<string, EventOverride>,
): Promise<SendItem[]> {
  if (flags.payload !== undefined) {
    const bytes = await readInputSource(flags.payload, '--payload', context.stdin);
    const source = flags.payload === '-' ? 'stdin' : flags.payload;
    return Array.from({ length: flags.count }, () => ({ kind: 'payload', bytes, source }));
  }

  selected.forEach(assertEventType);
  const total = selected.length * flags.count;
  if (flags.id !== undefined && total > 1) {
    throw new UsageError(
      'E_ID_WITH_MANY',
      `--id "${flags.id}" sets one envelope id, so it works only when a single event is sent, not ${total}`,
      'leave out --id, or send one event type with --count 1',
    );
  }

  const changes = eventChanges(flags);
  return selected.flatMap((type) => {
    const options = eventOptions(type, overrides[type], changes);
    // Generating one event now raises a --set path that does not fit before anything is sent.
    generateEvent(options);
    return Array.from({ length: flags.count }, (): SendItem => ({ kind: 'generated', options }));
  });
}

/** Shows one delivery: an NDJSON object with `--json`, else a line unless `--quiet`. */
function renderResult(output: Output, result: SendResult): void {
  if (output.json) {
    output.data(resultData(result));
  } else if (!output.quiet) {
    output.line(resultLine(output, result));
  }
}

function resultData(result: SendResult): object {
  const { attempt } = result;
  return {
    event_id: result.eventId,
    type: result.type,
    target: result.url,
    ok: attempt.ok,
    status: attempt.status ?? null,
    location: attempt.location ?? null,
    error: attempt.error?.message ?? null,
    error_code: attempt.error?.code ?? null,
    duration_ms: attempt.durationMs,
    response: attempt.snippet ?? null,
  };
}

function resultLine(output: Output, result: SendResult): string {
  const { attempt } = result;
  const style = output.style;
  const mark = attempt.ok ? style.green('✔') : style.red('✖');
  const status = attempt.status === undefined ? style.red('---') : formatStatus(style, attempt.status);
  const detail = attempt.ok ? style.dim(oneLine(attempt.snippet ?? '', 50)) : `${style.red(describeAttempt(attempt))}${responseStart(style, attempt)}`;
  return (
    `${mark} ${(result.type ?? '(payload)').padEnd(20)} ${style.dim(result.eventId ?? '-')}  ${status} ` +
    `${formatDuration(attempt.durationMs).padStart(7)} ${style.dim(formatBytes(result.bytes).padStart(8))}  ${detail}`
  );
}
