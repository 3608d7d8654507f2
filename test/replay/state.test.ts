import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ReplayState } from '../../src/replay/state.js';
import { tempDir } from '../helpers/temp.js';

const folders: Array<{ remove(): void }> = [];
const states: ReplayState[] = [];

afterEach(async () => {
  for (const state of states.splice(0)) {
    await state.close();
  }
  folders.splice(0).forEach((folder) => folder.remove());
});

function stateLine(id: string, ok: boolean): string {
  return JSON.stringify({
    event_id: id,
    type: 'payment.succeeded',
    outcome: ok ? 'delivered' : 'failed',
    ok,
    attempts: 1,
    target: 'http://127.0.0.1/hook',
    at: '2026-01-01T00:00:00.000Z',
  });
}

async function openState(lines: string[]): Promise<ReplayState> {
  const folder = tempDir();
  folders.push(folder);
  const path = join(folder.path, 'state.ndjson');
  writeFileSync(path, lines.length === 0 ? '' : `${lines.join('\n')}\n`);

  const state = await ReplayState.open(path);
  states.push(state);
  return state;
}

describe('ReplayState', () => {
  it('loads delivered ids only', async () => {
    const state = await openState([
      stateLine('evt_ok', true),
      stateLine('evt_failed', false),
      stateLine('evt_retried', false),
      stateLine('evt_retried', true),
    ]);

    expect(state.isDelivered('evt_ok')).toBe(true);
    expect(state.isDelivered('evt_retried')).toBe(true);
    expect(state.isDelivered('evt_failed')).toBe(false);
    expect(state.isDelivered('evt_absent')).toBe(false);
    expect(state.deliveredCount).toBe(2);
  });

  it('counts a repeated id once', async () => {
    const state = await openState([stateLine('evt_1', true), stateLine('evt_1', true)]);

    expect(state.deliveredCount).toBe(1);
  });

  it('loads many delivered ids', async () => {
    const ids = Array.from({ length: 100_000 }, (_, index) => `evt_${index}`);
    const state = await openState(ids.map((id) => stateLine(id, true)));

    expect(state.deliveredCount).toBe(100_000);
    expect(ids.every((id) => state.isDelivered(id))).toBe(true);
    expect(state.isDelivered('evt_100000')).toBe(false);
  });
});
