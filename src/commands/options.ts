import { InvalidArgumentError } from 'commander';

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses a whole number of at least `min`, for options such as --count. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}, got "${value}".`);
    }
    return parsed;
  };
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration such as `250ms`, `2s`, `1m` or `1h`; a bare number is in seconds. */
export function parseDuration(value: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) {
    throw new InvalidArgumentError(`expected a duration such as 500ms, 10s or 1m, got "${value}".`);
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!);
}

/** Writes milliseconds the way a duration flag takes them: `500ms`, `30s`, `2m`. */
export function formatDurationFlag(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) {
    return `${ms / 60_000}m`;
  }
  return ms % 1000 === 0 && ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Parses a byte size such as `1048576`, `512kb` or `2mb`. */
export function parseByteSize(value: string): number {
  const match = /^(\d+)\s*(b|kb|kib|mb|mib)?$/i.exec(value.trim());
  if (!match) {
    throw new InvalidArgumentError(`expected a size such as 1048576, 512kb or 2mb, got "${value}".`);
  }
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(match[1]) * factor;
}

/** Parses a TCP port, 0 to 65535; 0 picks a free port. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}".`);
  }
  return port;
}
