import { UsageError } from '../errors.js';
import { EVENT_GROUP_TITLES, EVENT_TYPES, type EventGroup } from '../events/catalog.js';
import { canPrompt, promptEventType } from '../ui/prompts.js';
import type { Output } from '../ui/output.js';
import type { CliContext } from './context.js';

/**
 * Returns the event type to use when none was given: a prompt on a
 * terminal picks it. Otherwise (no terminal, CI set, or --json) it fails
 * with exit 2 and the list of types, so that a script never waits for input.
 */
export async function askForEventType(context: CliContext, output: Output, howToName: string): Promise<string> {
  if (canPrompt(context) && !output.json) {
    return promptEventType(context, 'Which event type?');
  }

  throw new UsageError('E_NO_EVENT_TYPE', 'no event type given', `${howToName}. Known types:\n${groupedEventTypes()}`);
}

/** Lists the types as indented lines, one line per kind. */
export function groupedEventTypes(): string {
  const groups = new Map<EventGroup, string[]>();
  for (const info of EVENT_TYPES) {
    groups.set(info.group, [...(groups.get(info.group) ?? []), info.type]);
  }

  return [...groups]
    .map(([group, types]) => `    ${EVENT_GROUP_TITLES[group].padEnd(11)} ${types.join(', ')}`)
    .join('\n');
}
