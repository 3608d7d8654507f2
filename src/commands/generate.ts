import { Command, InvalidArgumentError } from 'commander';

import { eventOptions, type EventChanges } from '../config/index.js';
import { buildSignedHeaders } from '../delivery/headers.js';
import { generateEvent, parseSetArgument } from '../events/index.js';
import { requireSigningSecret } from '../secret.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';
import { askForEventType } from './event-type.js';
import { readJsonObjectFile } from './input-files.js';
import { collect, parseHeaderName } from './options.js';
import { commandSettings, signatureFlagNames, signatureFlags } from './settings.js';

interface GenerateFlags {
  set?: string[];
  data?: string;
  id?: string;
  created?: number;
  secret?: string[];
  signatureHeader?: string;
  signaturePrefix?: string;
}

/** Help sentence about the numbers that `--set` rejects, shared by generate and send. */
export const SET_NUMBER_HELP =
  'A whole number beyond ±(2^53 - 1), or a number that overflows such as 1e400, is rejected: quote it to send a string.';

export function generateCommand(context: CliContext): Command {
  return new Command('generate')
    .description(COMMAND_DESCRIPTIONS.generate)
    .argument('[type]', 'event type, such as payment.succeeded (see: pllay-hooks events); on a terminal, picked from a list when absent')
    .option('--set <path=value>', `set a field of the envelope; the value is parsed as JSON when it parses (repeatable). ${SET_NUMBER_HELP}`, collect)
    .option('--data <file>', 'merge the JSON object in FILE over data.object')
    .option('--id <id>', 'envelope id, for reproducible output (default: a fresh evt_ id)', parseEventId)
    .option('--created <unix-seconds>', 'envelope created time in unix seconds, 2000 to 2100, for reproducible output (default: now)', parseUnixSeconds)
    .option('--secret <secret>', 'signing secret (default: $PLLAY_WEBHOOK_SECRET, then the config file)', collect)
    .option('--signature-header <name>', 'header that carries the signature (default: pllay-signature)', parseHeaderName)
    .option('--signature-prefix <text>', 'text before the hex signature, such as sha256= (default: none)')
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ pllay-hooks generate payment.succeeded',
      '  $ pllay-hooks generate payment.failed --set data.object.amount=5000 --json',
      '  $ pllay-hooks generate wager.completed --id evt_test_1 --created 1761958815 --data ./winner.json',
      '  $ pllay-hooks generate kyc.started --signature-header X-PLLAY-Signature --signature-prefix sha256=',
    ].join('\n'))
    .action(async (type: string | undefined, flags: GenerateFlags, command: Command) => {
      const output = createOutput(context, command);
      const { values, secretEnv } = await commandSettings(
        context,
        command,
        output,
        { secrets: flags.secret, ...signatureFlags(flags) },
        { secrets: '--secret', ...signatureFlagNames },
      );
      const secret = requireSigningSecret({ secrets: values.secrets, secretEnv });
      const chosen = type ?? (await askForEventType(context, output, 'name one, such as pllay-hooks generate payment.succeeded'));

      const event = generateEvent(eventOptions(chosen, values.events[chosen], eventChanges(flags)));
      const headers = buildSignedHeaders({
        body: event.body,
        secret,
        signatureHeader: values['signature.header'],
        signaturePrefix: values['signature.prefix'],
      });

      if (output.json) {
        output.data({ headers, body: event.body });
        return;
      }
      for (const [name, value] of Object.entries(headers)) {
        output.raw(`${output.style.dim(`${name}:`)} ${value}\n`);
      }
      // The body is printed byte for byte as it is signed, so the signature above checks out.
      output.raw(`\n${event.body}\n`);
    });
}

/** Turns the shared generation flags of `generate` and `send` into changes to each event. */
export function eventChanges(flags: Pick<GenerateFlags, 'set' | 'data' | 'id' | 'created'>): EventChanges {
  return {
    ...(flags.id === undefined ? {} : { id: flags.id }),
    ...(flags.created === undefined ? {} : { created: flags.created }),
    ...(flags.data === undefined ? {} : { data: readJsonObjectFile(flags.data, '--data') }),
    set: (flags.set ?? []).map(parseSetArgument),
  };
}

/**
 * Earliest `--created`, 2000-01-01T00:00:00Z. It is far above the largest offset between the
 * timestamps of a fixture (a few days), so no timestamp of a generated event moves below 0.
 */
export const MIN_CREATED_SECONDS = 946_684_800;

/** Latest `--created`, 2100-01-01T00:00:00Z; a larger number is most likely in milliseconds. */
export const MAX_CREATED_SECONDS = 4_102_444_800;

/** Parses `--created`: whole unix seconds in decimal, from 2000-01-01 to 2100-01-01. */
export function parseUnixSeconds(value: string): number {
  const seconds = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (seconds >= MIN_CREATED_SECONDS && seconds <= MAX_CREATED_SECONDS) {
    return seconds;
  }

  const range = `from ${MIN_CREATED_SECONDS} (2000-01-01) to ${MAX_CREATED_SECONDS} (2100-01-01)`;
  const inMilliseconds = seconds / 1000;
  const hint =
    Number.isInteger(inMilliseconds) && inMilliseconds >= MIN_CREATED_SECONDS && inMilliseconds <= MAX_CREATED_SECONDS
      ? `; ${value} looks like milliseconds, so pass ${inMilliseconds}`
      : '';
  throw new InvalidArgumentError(`expected whole unix seconds ${range}, such as 1761958815, got "${value}"${hint}.`);
}

/** Parses `--id`, which must contain more than whitespace. */
export function parseEventId(value: string): string {
  if (value.trim() === '') {
    throw new InvalidArgumentError(`expected an envelope id such as evt_test_1, got "${value}".`);
  }
  return value;
}
