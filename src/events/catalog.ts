/** One event type that PLLAY sends. */
export interface EventTypeInfo {
  type: string;
  group: EventGroup;
  description: string;
}

export type EventGroup = 'kyc' | 'payment' | 'wager' | 'tournament';

export const EVENT_GROUP_TITLES: Record<EventGroup, string> = {
  kyc: 'KYC',
  payment: 'Payment',
  wager: 'Wager',
  tournament: 'Tournament',
};

/** The 13 event types of PLLAY's webhook guide, in the guide's order. */
export const EVENT_TYPES = [
  { type: 'kyc.started', group: 'kyc', description: 'KYC verification process initiated' },
  { type: 'kyc.completed', group: 'kyc', description: 'KYC verification completed successfully' },
  { type: 'kyc.failed', group: 'kyc', description: 'KYC verification failed' },
  { type: 'payment.created', group: 'payment', description: 'Payment intent created' },
  { type: 'payment.succeeded', group: 'payment', description: 'Payment completed successfully' },
  { type: 'payment.failed', group: 'payment', description: 'Payment failed' },
  { type: 'payment.refunded', group: 'payment', description: 'Payment refunded' },
  { type: 'wager.created', group: 'wager', description: 'New wager created' },
  { type: 'wager.completed', group: 'wager', description: 'Wager completed' },
  { type: 'wager.cancelled', group: 'wager', description: 'Wager cancelled' },
  { type: 'tournament.started', group: 'tournament', description: 'Tournament started' },
  { type: 'tournament.ended', group: 'tournament', description: 'Tournament ended' },
  { type: 'tournament.cancelled', group: 'tournament', description: 'Tournament cancelled' },
] as const satisfies readonly EventTypeInfo[];

/** The name of one of the 13 event types, such as `payment.succeeded`. */
export type EventType = (typeof EVENT_TYPES)[number]['type'];

export const EVENT_TYPE_NAMES: readonly string[] = EVENT_TYPES.map((info) => info.type);

export function isEventType(type: string): type is EventType {
  return EVENT_TYPE_NAMES.includes(type);
}

/** Finds the known type closest to a misspelt one, or undefined when none is close. */
export function suggestEventType(input: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;

  for (const type of EVENT_TYPE_NAMES) {
    const distance = editDistance(input.toLowerCase(), type);
    if (distance < bestDistance) {
      best = type;
      bestDistance = distance;
    }
  }

  const limit = Math.max(2, Math.floor(input.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);

  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }

  return previous[b.length]!;
}
