import { setMaxListeners } from 'node:events';

import { Command, InvalidArgumentError, Option } from 'commander';

import { DEFAULT_TIMEOUT_MS } from '../delivery/deliver.js';
import { parseHeaderArgument, rejectSignatureHeader } from '../delivery/headers.js';
import { normalizeTarget } from '../delivery/target.js';
import { ExitCode, UsageError } from '../errors.js';
import {
  BACKOFF_STRATEGIES,
  DEFAULT_BACKOFF,
  describeSchedule,
  JITTER_MODES,
  runReplay,
  type BackoffPolicy,
  type BackoffStrategy,
  type JitterMode,
  type ReplaySummary,
  type Selection,
  type Signing,
} from '../replay/index.js';
import type { FlagValues, SettingValues } from '../config/index.js';
import { requireSigningSecret } from '../secret.js';
import { formatDuration } from '../ui/format.js';
import type { Output } from '../ui/output.js';
import {
  eventSource,
  renderSchedule,
  renderScan,
  renderSummary,
  ReplayView,
} from '../ui/replay.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';
import { collect, formatDurationFlag, integerAtLeast, integerInRange, parseDuration, parseHeaderName, parsePositiveDuration } from './options.js';
import { commandSettings, signatureFlagNames, signatureFlags } from './settings.js';
import { addTlsOptions, tlsOptions, type TlsFlags } from './tls.js';

interface ReplayFlags extends TlsFlags {
  to?: string;
  secret?: string[];
  signatureHeader?: string;
  signaturePrefix?: string;
  keepSignature?: boolean;
  header?: string[];
  failed?: boolean;
  type?: string[];
  id?: string[];
  since?: number;
  until?: number;
  limit?: number;
  dedupe: boolean;
  strict?: boolean;
  concurrency?: number;
  dryRun?: boolean;
  maxAttempts?: number;
  backoff?: BackoffStrategy;
  initialDelay?: number;
  maxDelay?: number;
  factor?: number;
  jitter?: JitterMode;
  timeout?: number;
  deadline?: number;
  state?: string;
  report?: string;
  log?: string;
}

const HELP_AFTER = `
Inputs: capture logs of listen, delivery logs of send and replay, NDJSON files
of envelopes, a JSON file with one envelope or an array of them, and an app's
log lines with the envelope at the top level or under "body", "event" or
"payload". Each event is sent with its logged body, byte for byte, signed
afresh with the current secret.

--failed picks events whose last recorded delivery failed: a delivery record
with "ok": false, such as one written by listen --forward-to when the app
failed. An event that was only captured counts as delivered.

Retried: network errors, timeouts, 408, 425, 429 and 5xx; a Retry-After header
replaces the wait, up to --max-delay. Not retried: 3xx (never followed) and
other 4xx, 410 included.

Examples:
  $ pllay-hooks replay .pllay-hooks/capture.ndjson --failed --to localhost:3000
  $ pllay-hooks replay events.ndjson --to :3000 --type 'payment.*' --since 2h
  $ pllay-hooks replay app.log --to :3000 --deadline 2m --report junit.xml --state replay.state
  $ pllay-hooks replay capture.ndjson --to :3000 --max-attempts 8 --jitter full --dry-run

The target, secret, headers, timeout, signature format and backoff can come
from a config file (see: pllay-hooks config); flags win over it.

Exits 0 when every selected event was delivered, 1 when any failed, 2 for bad
usage or an unreadable log, 130 when interrupted (Ctrl-C saves the state first).`;

export function replayCommand(context: CliContext): Command {
  const command = new Command('replay')
    .description(COMMAND_DESCRIPTIONS.replay)
    .argument('<log...>', 'logs to read, in order; - reads standard input')
    .option('--to <url>', 'target URL or host:port; a URL without a path gets /webhooks/pllay')
    .option('--secret <secret>', 'signing secret (default: $PLLAY_WEBHOOK_SECRET, then the config file)', collect)
    .option('--signature-header <name>', 'header that carries the signature (default: pllay-signature)', parseHeaderName)
    .option('--signature-prefix <text>', 'text before the hex signature, such as sha256= (default: none)')
    .option(
      '--keep-signature',
      'send the logged signature header as it was instead of signing afresh',
    )
    .option('--header <"name: value">', 'add a request header (repeatable)', collect)
    .option('--failed', 'only events whose last recorded delivery failed')
    .option(
      '--type <glob>',
      'only events of this type; * matches anything, as in payment.* (repeatable)',
      collect,
    )
    .option('--id <id>', 'only the event with this id (repeatable)', collect)
    .option(
      '--since <time>',
      'only events logged at or after TIME: ISO time, or a duration ago such as 2h',
      parseTimeArgument,
    )
    .option(
      '--until <time>',
      'only events logged at or before TIME: ISO time, or a duration ago',
      parseTimeArgument,
    )
    .option('--limit <n>', 'send at most N events', integerAtLeast(1))
    .option('--no-dedupe', 'send every occurrence of an event id, not only the first')
    .option('--strict', 'exit 2 before sending when a line contains no usable event')
    .option(
      '--concurrency <n>',
      "events in flight at once; each event's attempts stay in order (default: 1)",
      integerAtLeast(1),
    )
    .option('--dry-run', 'list the events and the retry schedule, and send nothing')
    .option(
      '--max-attempts <n>',
      `attempts per event, the first included, 1 to 100 (default: ${DEFAULT_BACKOFF.maxAttempts})`,
      integerInRange(1, 100),
    )
    .addOption(
      new Option(
        '--backoff <strategy>',
        `how the wait grows between attempts (default: ${DEFAULT_BACKOFF.strategy})`,
      ).choices(BACKOFF_STRATEGIES),
    )
    .option(
      '--initial-delay <duration>',
      `wait before the second attempt (default: ${formatDurationFlag(DEFAULT_BACKOFF.initialDelayMs)})`,
      parseDuration,
    )
    .option(
      '--max-delay <duration>',
      `longest wait between attempts (default: ${formatDurationFlag(DEFAULT_BACKOFF.maxDelayMs)})`,
      parseDuration,
    )
    .option(
      '--factor <number>',
      `growth of each exponential wait (default: ${DEFAULT_BACKOFF.factor})`,
      parseFactor,
    )
    .addOption(
      new Option(
        '--jitter <mode>',
        `randomise waits: full picks 0..wait, equal wait/2..wait (default: ${DEFAULT_BACKOFF.jitter})`,
      ).choices(JITTER_MODES),
    )
    .option(
      '--timeout <duration>',
      `time allowed for each attempt (default: ${formatDurationFlag(DEFAULT_TIMEOUT_MS)})`,
      parsePositiveDuration,
    )
    .option(
      '--deadline <duration>',
      'time allowed for the whole run; events left then fail (default: none)',
      parsePositiveDuration,
    )
    .option(
      '--state <file>',
      "record each event's outcome in FILE; a rerun skips the events it delivered",
    )
    .option('--report <file>', 'write a JUnit XML report with one test case per event')
    .option(
      '--log <file>',
      'append a delivery record per event to FILE (NDJSON), readable by --failed',
    );

  return addTlsOptions(command, 'an https target')
    .addHelpText('after', HELP_AFTER)
    .action(async (paths: string[], flags: ReplayFlags, command: Command) => {
      const output = createOutput(context, command);
      const { values, secretEnv } = await commandSettings(context, command, output, replayFlagValues(flags), {
        target: '--to',
        secrets: '--secret',
        headers: '--header',
        timeout: '--timeout',
        'replay.maxAttempts': '--max-attempts',
        'replay.backoff': '--backoff',
        'replay.initialDelay': '--initial-delay',
        'replay.maxDelay': '--max-delay',
        'replay.factor': '--factor',
        'replay.jitter': '--jitter',
        ...signatureFlagNames,
      });
      context.exitCode = await runReplayCommand(context, output, paths, flags, values, secretEnv);
    });
}

// The flags that a config file can also set have no defaults, so that a flag that was not given is undefined.
function replayFlagValues(flags: ReplayFlags): FlagValues {
  return {
    target: flags.to,
    secrets: flags.secret,
    headers: flags.header === undefined ? undefined : Object.fromEntries(flags.header.map(parseHeaderArgument)),
    timeout: flags.timeout,
    'replay.maxAttempts': flags.maxAttempts,
    'replay.backoff': flags.backoff,
    'replay.initialDelay': flags.initialDelay,
    'replay.maxDelay': flags.maxDelay,
    'replay.factor': flags.factor,
    'replay.jitter': flags.jitter,
    ...signatureFlags(flags),
  };
}

async function runReplayCommand(
  context: CliContext,
  output: Output,
  paths: string[],
  flags: ReplayFlags,
  values: SettingValues,
  secretEnv: string,
): Promise<number> {
  const policy = backoffPolicy(values);
  const url = normalizeTarget(requireTarget(values.target), values.path);
  rejectSignatureHeader(values.headers, values['signature.header']);
  const signing = signingOf(values, flags, secretEnv);
  const tls = tlsOptions(flags);
  const stop = new AbortController();
  const cancel = new AbortController();
  // Every delivery in flight and every backoff wait listens to these signals, so with
  // --concurrency above 10 Node would print a MaxListenersExceededWarning. 0 lifts the limit.
  setMaxListeners(0, stop.signal, cancel.signal);
  const view = { current: undefined as ReplayView | undefined };
  const onSignal = (): void => interrupt(output, stop, cancel);

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (paths.includes('-')) {
    output.debug('reading standard input until it ends; Ctrl-C stops the run');
  }
  try {
    const { summary } = await runReplay({
      paths,
      stdin: context.stdin,
      selection: selectionOf(flags),
      url,
      signing,
      headers: values.headers,
      policy,
      concurrency: flags.concurrency ?? 1,
      ...(tls ? { tls } : {}),
      stopSignal: stop.signal,
      cancelSignal: cancel.signal,
      ...optional({
        timeoutMs: values.timeout,
        deadlineMs: flags.deadline,
        strict: flags.strict,
        dryRun: flags.dryRun,
      }),
      ...optional({ statePath: flags.state, logPath: flags.log, reportPath: flags.report }),
      onScan: (scan) => {
        renderScan(output, scan, flags.strict === true);
      },
      onStart: (scan) => {
        view.current = startView(context, output, url, scan.total, flags);
      },
      onProgress: (progress) => view.current?.onProgress(progress),
      onPlanned: (event, delivered) => {
        output.data({
          event_id: event.id,
          type: event.type,
          source: eventSource(event),
          outcome: delivered ? 'skipped' : 'planned',
        });
        output.line(
          `  ${event.type.padEnd(20)} ${output.style.dim(event.id)}  ${eventSource(event)}${delivered ? output.style.dim('  skipped: already delivered') : ''}`,
        );
      },
    });

    view.current?.close();
    return finish(output, summary, policy, flags);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function startView(
  context: CliContext,
  output: Output,
  url: URL,
  total: number,
  flags: ReplayFlags,
): ReplayView {
  const verb = flags.dryRun ? 'Would replay' : 'Replaying';
  output.line(`${verb} ${total} event${total === 1 ? '' : 's'} to ${output.style.bold(url.href)}`);
  if (total === 0) {
    output.info('No event in the logs matches the selection, so there is nothing to send.');
  }

  let progress: 'bar' | 'lines' | 'none' = 'lines';
  if (output.quiet || flags.dryRun) {
    progress = 'none';
  } else if (output.stderr.isTTY === true && !context.env.CI) {
    progress = 'bar';
  }
  return new ReplayView({ output, target: url.href, total, progress });
}

function finish(
  output: Output,
  summary: ReplaySummary,
  policy: BackoffPolicy,
  flags: ReplayFlags,
): number {
  if (flags.dryRun && !summary.stopped) {
    renderSchedule(output, describeSchedule(policy));
    output.result(
      `\n${summary.selected} event${summary.selected === 1 ? '' : 's'} selected, ${summary.skipped} already delivered; nothing was sent (--dry-run)`,
    );
    return ExitCode.ok;
  }

  renderSummary(output, summary);
  if (summary.stopped) {
    const unfinished = summary.interrupted + summary.notReached;
    const events = unfinished === 1 ? '1 event was' : `${unfinished} events were`;
    output.info(
      `Interrupted: ${events} not finished.${flags.state && summary.selected > 0 ? ` State saved to ${flags.state}; run the same command again to resume.` : ''}`,
    );
    return ExitCode.interrupted;
  }
  return summary.failed > 0 || summary.interrupted > 0 ? ExitCode.failure : ExitCode.ok;
}

/** First Ctrl-C: no new attempt starts. Second: the attempts in flight are cancelled too. */
function interrupt(output: Output, stop: AbortController, cancel: AbortController): void {
  if (!stop.signal.aborted) {
    output.info('\nStopping after the attempts in flight; press Ctrl-C again to cancel them.');
    stop.abort();
  } else if (!cancel.signal.aborted) {
    cancel.abort();
  }
}

function signingOf(values: SettingValues, flags: ReplayFlags, secretEnv: string): Signing {
  if (flags.keepSignature) {
    if (flags.secret !== undefined) {
      throw new UsageError(
        'E_SECRET_WITH_KEEP',
        '--keep-signature sends the logged signature, so --secret has no use with it',
        'leave out one of the two',
      );
    }
    return { kind: 'keep' };
  }
  // A dry run signs nothing, so it needs no secret, but it rejects the flag combinations above.
  if (flags.dryRun) {
    return { kind: 'keep' };
  }

  return {
    kind: 'secret',
    secret: requireSigningSecret({ secrets: values.secrets, secretEnv }),
    header: values['signature.header'],
    prefix: values['signature.prefix'],
  };
}

function requireTarget(to: string | undefined): string {
  if (to === undefined) {
    throw new UsageError(
      'E_NO_TARGET',
      'no target: replay needs the URL of your webhook endpoint',
      'pass --to URL (for example --to localhost:3000), set PLLAY_HOOKS_TARGET, or add "target" to a config file',
    );
  }
  return to;
}

function selectionOf(flags: ReplayFlags): Selection {
  if (flags.since !== undefined && flags.until !== undefined && flags.since > flags.until) {
    throw new UsageError(
      'E_EMPTY_TIME_RANGE',
      `--since ${new Date(flags.since).toISOString()} is later than --until ${new Date(flags.until).toISOString()}`,
      'swap the two values',
    );
  }

  return {
    failed: flags.failed === true,
    types: flags.type ?? [],
    ids: flags.id ?? [],
    dedupe: flags.dedupe,
    ...optional({ since: flags.since, until: flags.until, limit: flags.limit }),
  };
}

function backoffPolicy(values: SettingValues): BackoffPolicy {
  const policy: BackoffPolicy = {
    maxAttempts: values['replay.maxAttempts'],
    strategy: values['replay.backoff'],
    initialDelayMs: values['replay.initialDelay'],
    maxDelayMs: values['replay.maxDelay'],
    factor: values['replay.factor'],
    jitter: values['replay.jitter'],
  };

  if (policy.initialDelayMs > policy.maxDelayMs) {
    throw new UsageError(
      'E_DELAY_RANGE',
      `--initial-delay ${formatDuration(policy.initialDelayMs)} is longer than --max-delay ${formatDuration(policy.maxDelayMs)}`,
      'raise --max-delay, or lower --initial-delay',
    );
  }
  return policy;
}

/** Parses --since and --until: an ISO time, or a duration before now such as 2h. */
function parseTimeArgument(value: string): number {
  if (/^\d+(\.\d+)?(ms|s|m|h)$/.test(value.trim())) {
    return Date.now() - parseDuration(value);
  }

  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value.trim()) || Number.isNaN(time)) {
    throw new InvalidArgumentError(
      `expected an ISO time such as 2025-01-31T12:00:00Z or a duration such as 2h, got "${value}".`,
    );
  }
  return time;
}

function parseFactor(value: string): number {
  const factor = Number(value);
  if (!Number.isFinite(factor) || factor < 1) {
    throw new InvalidArgumentError(
      `expected a number of at least 1, such as 2 or 1.5, got "${value}".`,
    );
  }
  return factor;
}

/** Keeps the entries whose value is defined, for optional properties. */
function optional<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
