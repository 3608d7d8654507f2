import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { Command } from 'commander';

import { startCaptureServer } from '../capture/server.js';
import { sendEvents, type SendItem } from '../delivery/send.js';
import { normalizeTarget } from '../delivery/target.js';
import { ExitCode } from '../errors.js';
import { EVENT_TYPE_NAMES } from '../events/catalog.js';
import { LogWriter, type CaptureRecord } from '../log/index.js';
import { makeTempDir } from '../temp.js';
import { formatDuration, formatStatus, formatVerdict } from '../ui/format.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

export function demoCommand(context: CliContext): Command {
  return new Command('demo')
    .description(COMMAND_DESCRIPTIONS.demo)
    .addHelpText('after', '\nNeeds no setup: it uses a throwaway secret and a free port on 127.0.0.1.\n\nExample:\n  $ pllay-hooks demo')
    .action(async (_flags, command: Command) => {
      const output = createOutput(context, command);
      const secret = `whsec_test_${randomBytes(16).toString('hex')}`;
      const logPath = join(makeTempDir('pllay-hooks-demo-'), 'capture.ndjson');
      const log = LogWriter.open(logPath);
      const captured = new Map<string, CaptureRecord>();

      const server = await startCaptureServer({
        host: '127.0.0.1',
        port: 0,
        secrets: [secret],
        log,
        onEvent: (event) => {
          if (event.kind === 'captured' && event.record.event_id) {
            captured.set(event.record.event_id, event.record);
          }
        },
      });

      const url = normalizeTarget(server.url);
      output.line(`Capture server listening on ${output.style.bold(url.href)} with a throwaway secret`);
      output.line(`Sending one signed event of each of the ${EVENT_TYPE_NAMES.length} types…\n`);

      const items = EVENT_TYPE_NAMES.map((type): SendItem => ({ kind: 'generated', options: { type } }));
      let verified = 0;
      const summary = await sendEvents({
        items,
        url,
        secret,
        onResult: (result) => {
          const record = result.eventId ? captured.get(result.eventId) : undefined;
          const verdict = record?.signature ?? 'missing';
          verified += verdict === 'valid' ? 1 : 0;
          output.data({ event_id: result.eventId, type: result.type, status: result.attempt.status ?? null, signature: verdict });

          const style = output.style;
          const status = result.attempt.status === undefined ? style.red('---') : formatStatus(style, result.attempt.status);
          output.line(`  ${(result.type ?? '').padEnd(21)} ${style.dim(result.eventId ?? '-')}  ${status}  ${formatVerdict(style, verdict)}  ${style.dim(formatDuration(result.attempt.durationMs))}`);
        },
      }).finally(async () => {
        await server.close();
        await log.close();
      });

      const ok = verified === summary.total && summary.failed === 0;
      output.line(`\n${ok ? output.style.green('✔') : output.style.red('✖')} ${verified} of ${summary.total} events sent, received and verified.`);
      output.line(`Capture log: ${logPath}`);
      output.line([
        '',
        'Next:',
        '  pllay-hooks events                                   list every event type',
        '  pllay-hooks listen --secret whsec_test_123           capture and verify events on port 7575',
        '  pllay-hooks send payment.succeeded --to localhost:3000 --secret whsec_test_123',
        '                                                       send a signed event to your app',
      ].join('\n'));
      context.exitCode = ok ? ExitCode.ok : ExitCode.failure;
    });
}
