import { Command } from 'commander';

import { EVENT_GROUP_TITLES, EVENT_TYPES, type EventGroup } from '../events/catalog.js';
import { createOutput, type CliContext } from './context.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

export function eventsCommand(context: CliContext): Command {
  return new Command('events')
    .description(COMMAND_DESCRIPTIONS.events)
    .addHelpText('after', '\nExamples:\n  $ pllay-hooks events\n  $ pllay-hooks events --json | jq -r \'.type\'')
    .action((_options, command: Command) => {
      const output = createOutput(context, command);

      for (const info of EVENT_TYPES) {
        output.data(info);
      }

      let group: EventGroup | undefined;
      for (const info of EVENT_TYPES) {
        if (info.group !== group) {
          group = info.group;
          output.result(`${group === 'kyc' ? '' : '\n'}${output.style.bold(EVENT_GROUP_TITLES[group])}`);
        }
        output.result(`  ${info.type.padEnd(22)} ${output.style.dim(info.description)}`);
      }
    });
}
