import type { LoggedEvent } from './extract.js';

/** Which logged events a replay sends. Times are in milliseconds since the epoch. */
export interface Selection {
  /** Only events whose last recorded delivery did not succeed. */
  failed: boolean;
  /** Type patterns where `*` matches any run of characters; an event matches any of them. */
  types: string[];
  ids: string[];
  since?: number;
  until?: number;
  /** Most events to select, counted after the other filters and dedupe. */
  limit?: number;
  /** Send each event id once, at its first place in the logs. */
  dedupe: boolean;
}

/**
 * Builds the test of the per-event filters: type, id and time. An event
 * without a known time never matches --since or --until.
 */
export function eventFilter(selection: Selection): (event: LoggedEvent) => boolean {
  const patterns = selection.types.map(globToRegExp);
  const ids = new Set(selection.ids);

  return (event) => {
    if (patterns.length > 0 && !patterns.some((pattern) => pattern.test(event.type))) {
      return false;
    }
    if (ids.size > 0 && !ids.has(event.id)) {
      return false;
    }
    if (
      selection.since !== undefined &&
      (event.time === undefined || event.time < selection.since)
    ) {
      return false;
    }
    if (
      selection.until !== undefined &&
      (event.time === undefined || event.time > selection.until)
    ) {
      return false;
    }
    return true;
  };
}

/** Turns a pattern such as `payment.*` into a regular expression that matches whole types. */
export function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}
