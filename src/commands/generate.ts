import { Command, InvalidArgumentError } from 'commander';

import { generateEvent, parseSetArgument, type GenerateOptions } from '../events/index.js';
import { buildSignedHeaders } from '../delivery/headers.js';
import { requireSigningSecret, resolveSecrets } from '../secret.js';
import { createOutput, type CliContext } from './context.js';
import { readJsonObjectFile } from './input-files.js';
import { collect } from './options.js';

interface GenerateFlags {
  set?: string[];
  data?: string;
  id?: string;
  created?: number;
  secret?: string[];
}

export function generateCommand(context: CliContext): Command {
  return new Command('generate')
    .description('print a signed sample event: the headers and the exact body that send would deliver')
    .argument('<type>', 'event type, such as payment.succeeded (see: pllay-hooks events)')
    .option('--set <path=value>', 'set a field of the envelope; the value is parsed as JSON when it parses (repeatable)', collect)
    .option('--data <file>', 'merge the JSON object in FILE over data.object')
    .option('--id <id>', 'envelope id, for reproducible output (default: a fresh evt_ id)')
    .option('--created <unix-seconds>', 'envelope created time, for reproducible output (default: now)', parseUnixSeconds)
    .option('--secret <secret>', 'signing secret (default: $PLLAY_WEBHOOK_SECRET)', collect)
    .addHelpText('after', [
      '',
      'Examples:',
      '  $ pllay-hooks generate payment.succeeded',
      '  $ pllay-hooks generate payment.failed --set data.object.amount=5000 --json',
      '  $ pllay-hooks generate wager.completed --id evt_test_1 --created 1761958815 --data ./winner.json',
    ].join('\n'))
    .action((type: string, flags: GenerateFlags, command: Command) => {
      const output = createOutput(context, command);
      const secret = requireSigningSecret(resolveSecrets(flags.secret, context.env));

      const event = generateEvent(generateOptions(type, flags));
      const headers = buildSignedHeaders({ body: event.body, secret });

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

/** Turns the shared generation flags of `generate` and `send` into generator options. */
export function generateOptions(type: string, flags: Pick<GenerateFlags, 'set' | 'data' | 'id' | 'created'>): GenerateOptions {
  return {
    type,
    ...(flags.id === undefined ? {} : { id: flags.id }),
    ...(flags.created === undefined ? {} : { created: flags.created }),
    ...(flags.data === undefined ? {} : { data: readJsonObjectFile(flags.data, '--data') }),
    set: (flags.set ?? []).map(parseSetArgument),
  };
}

export function parseUnixSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new InvalidArgumentError(`expected unix seconds such as 1761958815, got "${value}".`);
  }
  return seconds;
}
