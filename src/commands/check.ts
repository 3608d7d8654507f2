import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { Command, Option } from 'commander';

import {
  CHECKS,
  DEFAULT_CHECK_CONCURRENCY,
  DEFAULT_MAX_LATENCY_MS,
  describeExchange,
  parseCheckTypes,
  runChecks,
  summarize,
  toJUnitXml,
  type CheckReport,
} from '../check/index.js';
import { normalizeTarget } from '../delivery/target.js';
import { ExitCode, InputFileError, UsageError } from '../errors.js';
import type { SettingValues } from '../config/index.js';
import { requireSigningSecret, SECRET_ENV } from '../secret.js';
import { renderCheckJson, renderCheckStart, renderScorecard } from '../ui/scorecard.js';
import type { Output } from '../ui/output.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';
import { commandSettings } from './settings.js';
import { collect, integerAtLeast, parsePositiveDuration } from './options.js';
import { addTlsOptions, tlsOptions, type TlsFlags } from './tls.js';

interface CheckFlags extends TlsFlags {
  to?: string;
  type?: string[];
  maxLatency: number;
  concurrency: number;
  report?: string;
  strict?: boolean;
  secret?: string[];
}

export function checkCommand(context: CliContext): Command {
  const command = new Command('check')
    .description(COMMAND_DESCRIPTIONS.check)
    .option('--to <url>', 'endpoint URL or host:port; a URL without a path gets /webhooks/pllay')
    .option('--type <type>', 'check only this event type; repeat, or separate types with commas (default: all 13)', collect)
    .addOption(
      new Option('--max-latency <duration>', 'slowest response time that passes, such as 500ms or 2s')
        .argParser(parsePositiveDuration)
        .default(DEFAULT_MAX_LATENCY_MS, `${DEFAULT_MAX_LATENCY_MS / 1000}s`),
    )
    .option('--concurrency <n>', 'requests in flight at once', integerAtLeast(1), DEFAULT_CHECK_CONCURRENCY)
    .option('--report <file>', 'also write a JUnit XML report to FILE, for CI')
    .option('--strict', 'count warnings as failures')
    .option('--secret <secret>', `signing secret of the endpoint (default: $${SECRET_ENV}, then the config file)`, collect);

  return addTlsOptions(command, 'an https endpoint')
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ pllay-hooks check --to localhost:3000',
      '  $ pllay-hooks check --to http://127.0.0.1:3000/webhooks/pllay --type payment.succeeded,kyc.completed',
      '  $ pllay-hooks check --to localhost:3000 --strict --report check-report.xml',
      '',
      'Sends 3 requests per event type and 9 more, which the endpoint processes as real events.',
      'Exits 0 when no check fails, 1 when one fails (or warns, with --strict), 2 for bad usage.',
    ].join('\n'))
    .action(async (flags: CheckFlags, command: Command) => {
      const output = createOutput(context, command);
      const { values, secretEnv } = await commandSettings(
        context,
        command,
        output,
        { target: flags.to, secrets: flags.secret },
        { target: '--to', secrets: '--secret' },
      );
      context.exitCode = await runCheck(context, output, flags, values, secretEnv);
    });
}

async function runCheck(
  context: CliContext,
  output: Output,
  flags: CheckFlags,
  values: SettingValues,
  secretEnv: string,
): Promise<number> {
  const secret = requireSigningSecret({ secrets: values.secrets, secretEnv });
  const url = normalizeTarget(requireTarget(values.target), values.path);
  const types = parseCheckTypes(flags.type);
  const tls = tlsOptions(flags);
  const reportPath = flags.report === undefined ? undefined : checkReportPath(resolve(context.cwd, flags.report));

  const stop = new AbortController();
  const onSignal = (): void => {
    if (!stop.signal.aborted) {
      output.info('\nStopping: the requests in flight are cancelled.');
      stop.abort();
    }
  };

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let report: CheckReport;
  try {
    report = await runChecks({
      url,
      secret,
      types,
      maxLatencyMs: flags.maxLatency,
      concurrency: flags.concurrency,
      ...(tls ? { tls } : {}),
      signal: stop.signal,
      onStart: (start) =>
        renderCheckStart(output, { ...start, target: url.href, concurrency: flags.concurrency, maxLatencyMs: flags.maxLatency }),
      onExchange: (exchange, checkId) => output.debug(`${checkId}: ${exchange.label}: ${describeExchange(exchange)}`),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const summary = summarize(report.results, flags.strict === true);
  renderScorecard(output, report, summary);
  renderCheckJson(output, report, summary);
  if (report.interrupted) {
    const total = CHECKS.length;
    output.info(
      `Interrupted: ${report.results.length} of ${total} checks finished, and the rest were not judged.` +
        (reportPath === undefined ? '' : ` No JUnit report was written to ${reportPath}.`),
    );
    return ExitCode.interrupted;
  }
  if (reportPath !== undefined) {
    writeReport(reportPath, toJUnitXml(report, { strict: summary.strict }));
    output.info(`JUnit report: ${reportPath}`);
  }
  return summary.ok ? ExitCode.ok : ExitCode.failure;
}

function requireTarget(to: string | undefined): string {
  if (to === undefined) {
    throw new UsageError('E_NO_TARGET', 'no target: check needs the URL of your webhook endpoint', 'pass --to URL (for example --to localhost:3000), set PLLAY_HOOKS_TARGET, or add "target" to a config file');
  }
  return to;
}

/** Fails before any request is sent when the report could not be written. */
function checkReportPath(path: string): string {
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (error) {
    throw new InputFileError('E_REPORT_UNWRITABLE', path, `cannot write --report file ${path}: its folder is missing or not writable`, error);
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputFileError('E_REPORT_UNWRITABLE', path, `cannot write --report file ${path}: it is a folder`);
  }
  return path;
}

function writeReport(path: string, xml: string): void {
  try {
    writeFileSync(path, xml);
  } catch (error) {
    throw new InputFileError('E_REPORT_UNWRITABLE', path, `cannot write --report file ${path}: ${(error as Error).message}`, error);
  }
}
