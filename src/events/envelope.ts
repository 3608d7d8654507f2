import { randomBytes } from 'node:crypto';

/** The JSON envelope of every PLLAY webhook, exactly as PLLAY's guide shows it. */
export interface Envelope {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 16;

/** Random bytes drawn 4 KiB at a time, because one randomBytes call per id costs more than the id. */
const randomPool = { bytes: Buffer.alloc(0), offset: 0 };

/** Makes a fresh id such as `evt_1Qm7ZpX2cT9vLr4K`: a prefix and 16 random base62 characters. */
export function newId(prefix: string): string {
  if (randomPool.offset + ID_LENGTH > randomPool.bytes.length) {
    randomPool.bytes = randomBytes(4096);
    randomPool.offset = 0;
  }

  let suffix = '';
  for (let index = randomPool.offset; index < randomPool.offset + ID_LENGTH; index++) {
    suffix += ID_ALPHABET[randomPool.bytes[index]! % ID_ALPHABET.length];
  }
  randomPool.offset += ID_LENGTH;
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
