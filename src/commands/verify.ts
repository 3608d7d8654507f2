import { Command } from 'commander';

import { ExitCode, InputFileError, UsageError } from '../errors.js';
import { decodeBody, openLog, readLogLines } from '../log/index.js';
import { requireSigningSecret } from '../secret.js';
import { PREFIXED_SIGNATURE_HEADER, SIGNATURE_HEADER } from '../signature/index.js';
import { diagnoseSignature, type Diagnosis } from '../verify/index.js';
import type { Output } from '../ui/output.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';
import { describeFileError, readInputFile, readStdin } from './input-files.js';
import { collect, integerAtLeast } from './options.js';
import { commandSettings } from './settings.js';

interface VerifyFlags {
  payload?: string;
  signature?: string;
  record?: string;
  line?: number;
  eventId?: string;
  secret?: string[];
  signaturePrefix?: string;
}

/** The body and signature to check, and where they came from. */
interface Subject {
  body: Buffer;
  signature: string;
  source: string;
}

export function verifyCommand(context: CliContext): Command {
  return new Command('verify')
    .description(COMMAND_DESCRIPTIONS.verify)
    .option('--payload <file>', 'the body exactly as your endpoint received it (- reads stdin)')
    .option('--signature <value>', 'the signature header value as received')
    .option('--record <log>', 'take body and signature from a capture log of listen (the last record by default)')
    .option('--line <n>', 'with --record: the record on line N', integerAtLeast(1))
    .option('--event-id <id>', 'with --record: the last capture record of this event id')
    .option('--secret <secret>', 'secret to check with; repeat for rotation (default: $PLLAY_WEBHOOK_SECRET, then the config file)', collect)
    .option('--signature-prefix <text>', 'text expected before the hex signature, such as sha256= (default: none)')
    .addHelpText('after', [
      '',
      'The check is exact: the value must be the lowercase hex HMAC-SHA256 of the body bytes, after the',
      'configured prefix. When it fails, verify tries the usual culprits and says which one makes it pass:',
      'a body re-serialised after parsing (whitespace, key order, escaping), a trailing newline added or',
      'removed, a secret with stray whitespace, a sha256= prefix, upper case, a truncated value, or a match',
      'under another of several secrets.',
      '',
      'Examples:',
      '  $ pllay-hooks verify --payload body.json --signature 3f1c…e9 --secret whsec_test_123',
      '  $ pllay-hooks verify --record .pllay-hooks/capture.ndjson --event-id evt_1Qm7ZpX2cT9vLr4K',
      '  $ pllay-hooks verify --payload - --signature "$SIG" --secret "$NEW" --secret "$OLD" --json < body.json',
      '',
      'Exits 0 for a valid signature, 1 for an invalid one, 2 for bad usage or an unreadable file.',
    ].join('\n'))
    .action(async (flags: VerifyFlags, command: Command) => {
      const output = createOutput(context, command);
      const { values, secretEnv } = await commandSettings(
        context,
        command,
        output,
        { secrets: flags.secret, 'signature.prefix': flags.signaturePrefix },
        { secrets: '--secret', 'signature.prefix': '--signature-prefix' },
      );
      const secrets = values.secrets;
      requireSigningSecret({ secrets, secretEnv, purpose: 'verify' });

      const subject = await readSubject(context, flags);
      const diagnosis = diagnoseSignature({ ...subject, secrets, prefix: values['signature.prefix'] });
      renderDiagnosis(output, subject, diagnosis);
      context.exitCode = diagnosis.valid ? ExitCode.ok : ExitCode.failure;
    });
}

async function readSubject(context: CliContext, flags: VerifyFlags): Promise<Subject> {
  assertRecordFlags(flags);
  if (flags.record !== undefined) {
    if (flags.payload !== undefined || flags.signature !== undefined) {
      throw new UsageError('E_VERIFY_INPUT', '--record takes the body and signature from the log, so it cannot be combined with --payload or --signature');
    }
    return readRecord(flags.record, flags);
  }

  if (flags.payload === undefined || flags.signature === undefined) {
    throw new UsageError(
      'E_VERIFY_INPUT',
      'verify needs a body and a signature',
      'pass --payload FILE and --signature VALUE, or --record LOG to take both from a capture log',
    );
  }
  const body = flags.payload === '-' ? await readStdin(context.stdin) : readInputFile(flags.payload, '--payload');
  return { body, signature: flags.signature, source: flags.payload === '-' ? 'stdin' : flags.payload };
}

/** Rejects --line and --event-id together, or either of them without --record. */
function assertRecordFlags(flags: VerifyFlags): void {
  if (flags.line !== undefined && flags.eventId !== undefined) {
    throw new UsageError(
      'E_VERIFY_INPUT',
      `--line ${flags.line} and --event-id ${flags.eventId} both pick a record, so only one of them can be given`,
      'pass --line N for the record on line N, or --event-id ID for the last capture record of that event',
    );
  }
  if (flags.record !== undefined) {
    return;
  }

  const picker = flags.line !== undefined ? '--line' : '--event-id';
  if (flags.line !== undefined || flags.eventId !== undefined) {
    throw new UsageError(
      'E_VERIFY_INPUT',
      `${picker} picks a record of a capture log, but no --record log was given`,
      `add --record LOG, or leave out ${picker}`,
    );
  }
}

/** Finds the record to check in a capture log: by line, by event id, or the last capture record. */
async function readRecord(path: string, flags: VerifyFlags): Promise<Subject> {
  let chosen: { line: number; record: Record<string, unknown> } | undefined;
  let firstInvalid: number | undefined;

  const stream = openLog(path);
  try {
    for await (const entry of readLogLines(stream)) {
      if ('error' in entry) {
        firstInvalid ??= entry.line;
        continue;
      }
      if (typeof entry.value !== 'object' || entry.value === null) {
        continue;
      }
      const record = entry.value as Record<string, unknown>;
      if (isRequested(entry.line, record, flags)) {
        chosen = { line: entry.line, record };
      }
    }
  } catch (error) {
    const { reason, hint } = describeFileError(error);
    throw new InputFileError('E_FILE_UNREADABLE', path, `cannot read --record file ${path}: ${reason}`, error, hint);
  }

  if (chosen === undefined) {
    const invalid = firstInvalid === undefined ? '' : `; ${path}:${firstInvalid} is not valid JSON`;
    const hint =
      flags.line !== undefined || flags.eventId !== undefined
        ? `check the line number or event id; \`grep -n EVENT_ID ${path}\` shows the lines of an event`
        : `pass a capture log that listen wrote, such as .pllay-hooks/capture.ndjson`;
    throw new InputFileError('E_RECORD_NOT_FOUND', path, `no record ${describeRequest(flags)} in ${path}${invalid}`, undefined, hint);
  }
  return subjectOfRecord(chosen.record, `${path}:${chosen.line}`);
}

/**
 * True for the record on the --line line, or for a capture record of the --event-id event, or for
 * any capture record without either. A delivery record of the same event, such as the one that
 * listen --forward-to writes after the capture record, contains no received signature to check.
 */
function isRequested(line: number, record: Record<string, unknown>, flags: VerifyFlags): boolean {
  if (flags.line !== undefined) {
    return line === flags.line;
  }
  if (record.kind !== 'capture') {
    return false;
  }
  return flags.eventId === undefined || record.event_id === flags.eventId;
}

function describeRequest(flags: VerifyFlags): string {
  if (flags.line !== undefined) {
    return `on line ${flags.line}`;
  }
  if (flags.eventId !== undefined) {
    return `of kind capture for event ${flags.eventId}`;
  }
  return 'of kind capture';
}

function subjectOfRecord(record: Record<string, unknown>, where: string): Subject {
  const body = decodeBody(record);
  const headers = (typeof record.headers === 'object' && record.headers !== null ? record.headers : {}) as Record<string, unknown>;
  const names = [record.signature_header, SIGNATURE_HEADER, PREFIXED_SIGNATURE_HEADER].filter((name): name is string => typeof name === 'string');
  const header = names.map((name) => headers[name.toLowerCase()]).find((value) => value !== undefined);
  const signature = Array.isArray(header) ? header[0] : header;

  if (body === undefined) {
    throw new UsageError('E_RECORD_NO_BODY', `the record at ${where} has no body to check`, 'pick a capture record of listen with --line N or --event-id ID');
  }
  if (typeof signature !== 'string') {
    throw new UsageError(
      'E_RECORD_NO_SIGNATURE',
      `the record at ${where} has no signature header`,
      record.kind === 'delivery' ? 'delivery records hold what pllay-hooks sent; pick a capture record of listen' : 'the request arrived unsigned',
    );
  }
  return { body, signature, source: where };
}

function renderDiagnosis(output: Output, subject: Subject, diagnosis: Diagnosis): void {
  output.data({
    valid: diagnosis.valid,
    reason: diagnosis.reason,
    source: subject.source,
    secret_fingerprint: diagnosis.secretFingerprint ?? null,
    explained: diagnosis.explained,
    findings: diagnosis.findings,
    expected: diagnosis.expected,
  });

  const style = output.style;
  if (diagnosis.valid) {
    output.result(`${style.green('✔ valid')}: the signature matches the body under secret ${diagnosis.secretFingerprint}`);
  } else {
    output.result(`${style.red('✖ invalid')}: ${diagnosis.reason}`);
  }

  if (diagnosis.explained) {
    output.result(`\nLikely cause: with ${diagnosis.findings.length === 1 ? 'this change' : 'these changes'} it matches under secret ${diagnosis.secretFingerprint}.`);
  }
  for (const finding of diagnosis.findings) {
    output.result(`  ${style.yellow('•')} ${finding.explanation}`);
    output.result(`    ${style.dim('fix:')} ${finding.fix}`);
  }

  if (!diagnosis.valid && !diagnosis.explained) {
    output.result(`  expected  ${diagnosis.expected}  ${style.dim('(the body as given, under the first secret)')}`);
    output.result(`  received  ${subject.signature}`);
    output.result('Check that the secret is the one of this endpoint, and that the body is the raw bytes it received.');
  }
}
