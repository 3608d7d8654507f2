const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const SIZE = /^(\d+)\s*(b|kb|kib|mb|mib)?$/i;

/**
 * Maximum duration that a Node.js timer can wait, about 596 hours. Node fires a longer timer
 * after 1 ms instead, which would make every delivery time out at once.
 */
export const MAX_DURATION_MS = 2_147_483_647;

/**
 * Parses a duration such as `250ms`, `2s`, `1m` or `1h` into milliseconds.
 * A bare number is in `bareUnit`, or rejected when `bareUnit` is undefined.
 * Returns undefined for text that is not a duration.
 */
export function parseDurationText(text: string, bareUnit: 'ms' | 's' | undefined): number | undefined {
  const match = DURATION.exec(text.trim());
  const unit = match?.[2] ?? bareUnit;
  if (!match || unit === undefined) {
    return undefined;
  }
  return Math.round(Number(match[1]) * UNIT_MS[unit]!);
}

/** Parses a byte size such as `1048576`, `512kb` or `2mb` (1024-based); undefined when invalid. */
export function parseByteSizeText(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) {
    return undefined;
  }
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(match[1]) * factor;
}
