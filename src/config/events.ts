import { UsageError } from '../errors.js';
import type { GenerateOptions } from '../events/generate.js';
import { deepMerge, splitSetPath } from '../events/overrides.js';
import type { EventOverride } from './types.js';

/** Changes to one generated event that the command line requests, applied after the config's. */
export interface EventChanges {
  id?: string;
  created?: number;
  data?: Record<string, unknown>;
  set?: ReadonlyArray<{ path: string[]; value: unknown }>;
}

/**
 * Builds the generator options of one event: the config's override of its
 * type first, then the changes from the command line, which win.
 */
export function eventOptions(type: string, override: EventOverride | undefined, changes: EventChanges = {}): GenerateOptions {
  const data = structuredClone(override?.data ?? {});
  if (changes.data) {
    deepMerge(data, changes.data);
  }

  return {
    type,
    ...(changes.id === undefined ? {} : { id: changes.id }),
    ...(changes.created === undefined ? {} : { created: changes.created }),
    ...(Object.keys(data).length === 0 ? {} : { data }),
    set: [...setEntries(override?.set ?? {}), ...(changes.set ?? [])],
  };
}

/** Turns `{ "data.object.amount": 5000 }` into generator set entries. */
export function setEntries(paths: Record<string, unknown>): Array<{ path: string[]; value: unknown }> {
  return Object.entries(paths).map(([path, value]) => {
    const keys = splitSetPath(path);
    if (keys === undefined) {
      throw new UsageError(
        'E_SET_PATH',
        `invalid set path "${path}": keys must be non-empty and not __proto__, prototype or constructor`,
        'use a dotted path such as data.object.amount',
      );
    }
    return { path: keys, value };
  });
}
