import { randomBytes } from 'node:crypto';

/** The JSON envelope of every PLLAY webhook, exactly as PLLAY's guide shows it. */
export interface Envelope {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Makes a fresh id such as `evt_1Qm7ZpX2cT9vLr4K`: a prefix and 16 random base62 characters. */
export function newId(prefix: string): string {
  const bytes = randomBytes(16);
  let suffix = '';
  for (const byte of bytes) {
    suffix += ID_ALPHABET[byte % ID_ALPHABET.length];
  }
  return `${prefix}_${suffix}`;
}

/** Returns the id and type of a parsed body when it has the envelope's shape. */
export function envelopeIdentity(value: unknown): { id: string | null; type: string | null } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { id: null, type: null };
  }

  const record = value as Record<string, unknown>;
  return {
    id: typeof record.id === 'string' ? record.id : null,
    type: typeof record.type === 'string' ? record.type : null,
  };
}
