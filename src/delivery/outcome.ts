import type { AttemptRecord } from '../log/index.js';
import type { AttemptResult } from './deliver.js';

/** Says in plain words why an attempt failed, or that it succeeded. */
export function describeAttempt(attempt: AttemptResult): string {
  if (attempt.error) {
    return attempt.error.message;
  }

  const status = attempt.status!;
  if (status >= 200 && status < 300) {
    return `accepted with ${status}`;
  }
  if (status >= 300 && status < 400) {
    const location = attempt.location ? ` to ${attempt.location}` : '';
    return `redirected with ${status}${location}; redirects are not followed, so point --to at the final URL`;
  }
  return `rejected with ${status}`;
}

/** Converts an attempt into its log form. */
export function attemptRecord(attempt: AttemptResult, at: Date): AttemptRecord {
  const record: AttemptRecord = { at: at.toISOString(), duration_ms: attempt.durationMs };

  if (attempt.status !== undefined) {
    record.status = attempt.status;
  }
  if (attempt.error) {
    record.error = attempt.error.message;
    record.error_code = attempt.error.code;
  }
  if (attempt.snippet !== undefined && attempt.snippet !== '') {
    record.response = attempt.snippet;
  }
  if (attempt.location !== undefined) {
    record.location = attempt.location;
  }
  return record;
}
