/** Parses JSON text or bytes, returning undefined instead of throwing. */
export function tryParseJson(input: Buffer | string): unknown {
  try {
    return JSON.parse(typeof input === 'string' ? input : input.toString('utf8'));
  } catch {
    return undefined;
  }
}
