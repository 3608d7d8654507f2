import { describe, expect, it } from 'vitest';

import { frameJsonValues, type Frame } from '../../src/replay/frames.js';

async function frames(text: string, chunkSize = 7): Promise<Frame[]> {
  const chunks = Array.from({ length: Math.ceil(text.length / chunkSize) }, (_, index) =>
    text.slice(index * chunkSize, (index + 1) * chunkSize),
  );
  const found: Frame[] = [];
  for await (const frame of frameJsonValues(
    (async function* () {
      yield* chunks;
    })(),
  )) {
    found.push(frame);
  }
  return found;
}

function raws(found: Frame[]): string[] {
  return found.flatMap((frame) => (frame.kind === 'value' ? [frame.raw] : []));
}

describe('frameJsonValues', () => {
  it('reads one value per line', async () => {
    const found = await frames('{"a":1}\n\n  {"b": 2}  \r\n[]\n');

    expect(raws(found)).toEqual(['{"a":1}', '{"b": 2}']);
    expect(found.map((frame) => frame.line)).toEqual([1, 3]);
  });

  it('reports junk lines by number', async () => {
    const found = await frames('{"a":1}\nnot json\n{"b":2}\n{"c":\n');

    expect(found).toContainEqual({ kind: 'unusable', line: 2, reason: 'not valid JSON' });
    expect(raws(found)).toEqual(['{"a":1}', '{"b":2}']);
    expect(found.at(-1)).toMatchObject({ kind: 'unusable', line: 4 });
  });

  it('skips a torn last line', async () => {
    const found = await frames('{"a":1}\n{"b":2}\n{"kind":"capture","bo');

    expect(raws(found)).toEqual(['{"a":1}', '{"b":2}']);
    expect(found.at(-1)).toEqual({ kind: 'torn', line: 3 });
  });

  it('reads a pretty-printed object whole', async () => {
    const text = '{\r\n  "id": "evt_1",\r\n  "data": { "object": {} }\r\n}\r\n';
    const found = await frames(text);

    expect(raws(found)).toEqual([text.trimEnd()]);
    expect(found[0]!.line).toBe(1);
  });

  it('recovers after an object cut short', async () => {
    const found = await frames('{"kind":"capture","size":12,\n{"a":1}\n{"b":2}\n');

    expect(found[0]).toEqual({ kind: 'unusable', line: 1, reason: 'JSON object cut short' });
    expect(raws(found)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('splits a one-line array into elements', async () => {
    const found = await frames('[{"a":1}, {"b":[1,2]} ,"x]"]\n');

    expect(raws(found)).toEqual(['{"a":1}', '{"b":[1,2]}', '"x]"']);
    expect(found.map((frame) => (frame.kind === 'value' ? frame.element : -1))).toEqual([0, 1, 2]);
  });

  it('splits a pretty-printed array exactly', async () => {
    const text = '[\n  {\n    "id": "evt_1",\n    "s": "a,]}"\n  },\n  {"id": "evt_2"}\n]\n';
    const found = await frames(text, 3);

    expect(raws(found)).toEqual(['{\n    "id": "evt_1",\n    "s": "a,]}"\n  }', '{"id": "evt_2"}']);
    expect(found.map((frame) => frame.line)).toEqual([2, 6]);
  });

  it('reads an empty array as nothing', async () => {
    expect(await frames('[]')).toEqual([]);
    expect(await frames('[\n]\n')).toEqual([]);
  });

  it('reports an unclosed array', async () => {
    const found = await frames('[{"a":1},\n{"b":2}\n');

    expect(raws(found)).toEqual(['{"a":1}', '{"b":2}']);
    expect(found.at(-1)).toMatchObject({ kind: 'unusable', line: 1 });
  });

  it('reports a string broken across lines', async () => {
    const found = await frames('{"a": "one\ntwo"}\n{"b":1}\n');

    expect(found[0]).toMatchObject({ kind: 'unusable', line: 1 });
    expect(raws(found)).toEqual(['{"b":1}']);
  });

  it('reads a text log line alone', async () => {
    const found = await frames('[INFO] server started\n{"a":1}\n[2025-01-31 12:00] {"b":2}\n');

    expect(found[0]).toEqual({ kind: 'unusable', line: 1, reason: 'not valid JSON' });
    expect(raws(found)).toEqual(['{"a":1}']);
    expect(found.at(-1)).toMatchObject({ kind: 'unusable', line: 3 });
  });

  it('recovers after an array cut short', async () => {
    const found = await frames('[{"a":1}, {"b":\n{"kind":"capture"}\n{"c":3}\n');

    expect(raws(found)).toEqual(['{"a":1}', '{"kind":"capture"}', '{"c":3}']);
    expect(found[1]).toEqual({ kind: 'unusable', line: 1, reason: 'JSON array cut short' });
  });

  it('recovers after a stray closing brace', async () => {
    const found = await frames('[{\n}},\n{"kind":"capture","a":[1]}\n');

    expect(raws(found)).toEqual(['{"kind":"capture","a":[1]}']);
    expect(found[0]).toMatchObject({ kind: 'unusable', line: 1, reason: 'not valid JSON' });
    expect(found[1]).toEqual({ kind: 'unusable', line: 2, reason: 'text after the end of a JSON array' });
  });

  it('reads an unindented array', async () => {
    const found = await frames('[\n{"a":1},\n{"b":2}\n]\n');

    expect(raws(found)).toEqual(['{"a":1}', '{"b":2}']);
    expect(found.every((frame) => frame.kind === 'value')).toBe(true);
  });

  it('ignores a byte order mark', async () => {
    expect(raws(await frames('\uFEFF{"a":1}\n'))).toEqual(['{"a":1}']);
  });
});
