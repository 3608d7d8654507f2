import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import type { IdHash } from '../../src/replay/id-table.js';
import { openInputs, scanInputs, selectEvents, type ReplayInput } from '../../src/replay/inputs.js';
import type { Selection } from '../../src/replay/select.js';
import { tempDir } from '../helpers/temp.js';

const folders: Array<{ remove(): void }> = [];

afterEach(() => {
  folders.splice(0).forEach((folder) => folder.remove());
});

function envelope(id: string, type = 'payment.succeeded', created = 1_700_000_000): string {
  return JSON.stringify({ id, type, created, data: { object: {} } });
}

function capture(id: string, receivedAt = '2025-01-31T12:00:00Z'): string {
  return JSON.stringify({
    kind: 'capture',
    event_id: id,
    type: 'payment.succeeded',
    received_at: receivedAt,
    headers: {},
    body: envelope(id),
    signature: 'valid',
  });
}

function delivery(id: string, ok: boolean, source = 'forward'): string {
  return JSON.stringify({
    kind: 'delivery',
    source,
    event_id: id,
    type: 'payment.succeeded',
    body: envelope(id),
    signature: 'valid',
    target: 'http://app',
    ok,
    attempts: [{ at: '2025-01-31T12:00:01Z', duration_ms: 1 }],
  });
}

async function logText(text: string, name = 'log.ndjson'): Promise<ReplayInput[]> {
  const folder = tempDir();
  folders.push(folder);
  const path = join(folder.path, name);
  writeFileSync(path, text);
  return (await openInputs([path], Readable.from([]))).inputs;
}

function logFile(lines: string[], name?: string): Promise<ReplayInput[]> {
  return logText(`${lines.join('\n')}\n`, name);
}

function selection(overrides: Partial<Selection> = {}): Selection {
  return { failed: false, types: [], ids: [], dedupe: true, ...overrides };
}

async function selectedIds(
  inputs: ReplayInput[],
  chosen: Selection,
  hash?: IdHash,
): Promise<{ ids: string[]; total: number }> {
  const scan = await scanInputs(inputs, chosen, hash ? { hash } : {});
  const ids: string[] = [];
  for await (const event of selectEvents(inputs, chosen, scan)) {
    ids.push(event.id);
  }
  return { ids, total: scan.total };
}

describe('selection', () => {
  it('picks events whose last delivery failed', async () => {
    const inputs = await logFile([
      capture('evt_captured_only'),
      capture('evt_forward_failed'),
      delivery('evt_forward_failed', false),
      capture('evt_failed_then_ok'),
      delivery('evt_failed_then_ok', false),
      delivery('evt_failed_then_ok', true, 'replay'),
      capture('evt_ok_then_failed'),
      delivery('evt_ok_then_failed', true),
      delivery('evt_ok_then_failed', false, 'replay'),
    ]);

    const { ids, total } = await selectedIds(inputs, selection({ failed: true }));

    expect(ids).toEqual(['evt_forward_failed', 'evt_ok_then_failed']);
    expect(total).toBe(2);
  });

  it('sends each id once unless dedupe is off', async () => {
    const inputs = await logFile([envelope('evt_a'), envelope('evt_b'), envelope('evt_a')]);

    expect(await selectedIds(inputs, selection())).toEqual({ ids: ['evt_a', 'evt_b'], total: 2 });
    expect(await selectedIds(inputs, selection({ dedupe: false }))).toEqual({
      ids: ['evt_a', 'evt_b', 'evt_a'],
      total: 3,
    });
  });

  it('filters by type glob and id', async () => {
    const inputs = await logFile([
      envelope('evt_1', 'payment.failed'),
      envelope('evt_2', 'kyc.started'),
      envelope('evt_3', 'payment.refunded'),
    ]);

    expect((await selectedIds(inputs, selection({ types: ['payment.*'] }))).ids).toEqual([
      'evt_1',
      'evt_3',
    ]);
    expect((await selectedIds(inputs, selection({ types: ['kyc.*', '*.refunded'] }))).ids).toEqual([
      'evt_2',
      'evt_3',
    ]);
    expect((await selectedIds(inputs, selection({ ids: ['evt_3', 'evt_1'] }))).ids).toEqual([
      'evt_1',
      'evt_3',
    ]);
  });

  it('filters by time window', async () => {
    const inputs = await logFile([
      capture('evt_old', '2025-01-01T00:00:00Z'),
      capture('evt_mid', '2025-01-15T00:00:00Z'),
      capture('evt_new', '2025-02-01T00:00:00Z'),
    ]);
    const window = selection({
      since: Date.parse('2025-01-10T00:00:00Z'),
      until: Date.parse('2025-01-20T00:00:00Z'),
    });

    expect(await selectedIds(inputs, window)).toEqual({ ids: ['evt_mid'], total: 1 });
  });

  it('stops at the limit', async () => {
    const inputs = await logFile([envelope('evt_1'), envelope('evt_2'), envelope('evt_3')]);

    expect(await selectedIds(inputs, selection({ limit: 2 }))).toEqual({
      ids: ['evt_1', 'evt_2'],
      total: 2,
    });
  });

  it('lists unusable lines and a torn last line', async () => {
    const inputs = await logText(
      `${envelope('evt_1')}\ngarbage\n{"level":"info"}\n${envelope('evt_2')}\n{"id":"evt_3","ty`,
    );

    const scan = await scanInputs(inputs, selection());

    expect(scan.unusableCount).toBe(2);
    expect(scan.unusable.map((line) => line.line)).toEqual([2, 3]);
    expect(scan.torn).toEqual([{ file: inputs[0]!.path, line: 5 }]);
    expect(scan.total).toBe(2);
  });

  it('reads standard input', async () => {
    const { inputs, cleanup } = await openInputs(['-'], Readable.from([`${envelope('evt_in')}\n`]));
    try {
      expect(inputs[0]!.name).toBe('stdin');
      expect((await selectedIds(inputs, selection())).ids).toEqual(['evt_in']);
    } finally {
      cleanup();
    }
  });

  it('reads a JSON array file', async () => {
    const inputs = await logFile(
      [`[\n  ${envelope('evt_1')},\n  ${envelope('evt_2')}\n]`],
      'events.json',
    );

    expect((await selectedIds(inputs, selection())).ids).toEqual(['evt_1', 'evt_2']);
  });

  it('rejects a missing log', async () => {
    await expect(openInputs(['/nonexistent/log.ndjson'], Readable.from([]))).rejects.toMatchObject({
      code: 'E_LOG_UNREADABLE',
      exitCode: 2,
    });
  });
});

describe('selection under hash collisions', () => {
  /** Puts every id in one probe chain, keyed by its last character. */
  const oneChainHash: IdHash = (id, out) => {
    out[0] = id.charCodeAt(id.length - 1);
    out[1] = 12345;
  };
  /** Gives every id the same key, as a 64-bit collision would. */
  const oneKeyHash: IdHash = (_id, out) => {
    out[0] = 1;
    out[1] = 2;
  };

  it('keeps ids apart in one chain', async () => {
    const inputs = await logFile([
      capture('evt_a'),
      delivery('evt_a', false),
      capture('evt_b'),
      delivery('evt_b', true),
      capture('evt_c'),
      delivery('evt_c', false),
      envelope('evt_a'),
    ]);

    expect(await selectedIds(inputs, selection(), oneChainHash)).toEqual({
      ids: ['evt_a', 'evt_b', 'evt_c'],
      total: 3,
    });
    expect(await selectedIds(inputs, selection({ failed: true }), oneChainHash)).toEqual({
      ids: ['evt_a', 'evt_c'],
      total: 2,
    });
    expect(
      await selectedIds(inputs, selection({ failed: true, dedupe: false }), oneChainHash),
    ).toEqual({ ids: ['evt_a', 'evt_a', 'evt_c', 'evt_c', 'evt_a'], total: 5 });
  });

  it('merges ids with one hash', async () => {
    const inputs = await logFile([envelope('evt_a'), envelope('evt_b'), envelope('evt_c')]);

    expect(await selectedIds(inputs, selection(), oneKeyHash)).toEqual({
      ids: ['evt_a'],
      total: 1,
    });
    expect(await selectedIds(inputs, selection({ dedupe: false }), oneKeyHash)).toEqual({
      ids: ['evt_a', 'evt_b', 'evt_c'],
      total: 3,
    });
  });

  it('selects afresh on a second pass', async () => {
    const inputs = await logFile([envelope('evt_a'), envelope('evt_b'), envelope('evt_a')]);
    const chosen = selection();
    const scan = await scanInputs(inputs, chosen);
    const passes: string[][] = [];

    for (let pass = 0; pass < 2; pass++) {
      const ids: string[] = [];
      for await (const event of selectEvents(inputs, chosen, scan)) {
        ids.push(event.id);
      }
      passes.push(ids);
    }

    expect(passes[0]).toEqual(['evt_a', 'evt_b']);
    expect(passes[1]).toEqual(['evt_a', 'evt_b']);
  });
});
