import { describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';

/** The types and meanings of PLLAY's webhook guide, in its order. */
const GUIDE_EVENTS = [
  ['kyc', 'kyc.started', 'KYC verification process initiated'],
  ['kyc', 'kyc.completed', 'KYC verification completed successfully'],
  ['kyc', 'kyc.failed', 'KYC verification failed'],
  ['payment', 'payment.created', 'Payment intent created'],
  ['payment', 'payment.succeeded', 'Payment completed successfully'],
  ['payment', 'payment.failed', 'Payment failed'],
  ['payment', 'payment.refunded', 'Payment refunded'],
  ['wager', 'wager.created', 'New wager created'],
  ['wager', 'wager.completed', 'Wager completed'],
  ['wager', 'wager.cancelled', 'Wager cancelled'],
  ['tournament', 'tournament.started', 'Tournament started'],
  ['tournament', 'tournament.ended', 'Tournament ended'],
  ['tournament', 'tournament.cancelled', 'Tournament cancelled'],
];

describe('events', () => {
  it('gives 13 objects with --json', async () => {
    const result = await runCli(['events', '--json']);
    const lines = result.stdout.trimEnd().split('\n');
    const events = lines.map((line) => JSON.parse(line) as Record<string, string>);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(lines).toHaveLength(13);
    expect(events.map((event) => [event.group, event.type, event.description])).toEqual(GUIDE_EVENTS);
  });

  it('lists every type grouped', async () => {
    const result = await runCli(['events']);

    expect(result.code).toBe(0);
    for (const [, type, description] of GUIDE_EVENTS) {
      expect(result.stdout).toMatch(new RegExp(`^  ${type!.replace('.', '\\.')} +${description}$`, 'm'));
    }
    const titles = result.stdout.split('\n').filter((line) => /^\S/.test(line));
    expect(titles).toEqual(['KYC', 'Payment', 'Wager', 'Tournament']);
  });

  it('still lists with --quiet', async () => {
    const result = await runCli(['events', '--quiet']);

    expect(result.stdout.match(/^ {2}\S/gm)).toHaveLength(13);
  });
});
