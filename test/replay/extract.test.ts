import { describe, expect, it } from 'vitest';

import { extractEvent, findMemberText, type Extraction } from '../../src/replay/extract.js';

const ENVELOPE =
  '{"id":"evt_1","type":"payment.succeeded","created":1761958815,"data":{"object":{"note":"caf\\u00e9 \\"x\\""}}}';

function extract(raw: string): Extraction {
  return extractEvent({ kind: 'value', line: 7, raw, value: JSON.parse(raw) }, 'app.log');
}

function eventOf(raw: string) {
  const found = extract(raw);
  if ('unusable' in found || !found.event) {
    throw new Error(`no event in ${raw}: ${JSON.stringify(found)}`);
  }
  return found.event;
}

describe('extractEvent', () => {
  it('keeps a bare envelope byte for byte', () => {
    const spaced = ENVELOPE.replace('"type":', ' "type" :  ');
    const event = eventOf(spaced);

    expect(event.body.toString('utf8')).toBe(spaced);
    expect(event).toMatchObject({
      id: 'evt_1',
      type: 'payment.succeeded',
      shape: 'envelope',
      line: 7,
      file: 'app.log',
    });
    expect(event.time).toBe(1761958815 * 1000);
  });

  it('reads a capture record with its signature', () => {
    const record = {
      kind: 'capture',
      event_id: 'evt_1',
      type: 'payment.succeeded',
      received_at: '2025-01-31T12:00:00.000Z',
      headers: { 'x-pllay-signature': 'sha256=abc' },
      signature_header: 'x-pllay-signature',
      body: ENVELOPE,
      signature: 'valid',
    };
    const event = eventOf(JSON.stringify(record));

    expect(event.body.toString('utf8')).toBe(ENVELOPE);
    expect(event.signature).toEqual({ header: 'x-pllay-signature', value: 'sha256=abc' });
    expect(event.time).toBe(Date.parse('2025-01-31T12:00:00.000Z'));
    expect(event.shape).toBe('capture');
  });

  it('decodes a base64 body exactly', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const record = {
      kind: 'capture',
      event_id: 'evt_bin',
      type: 'x',
      body_base64: bytes.toString('base64'),
      signature: 'valid',
    };

    expect(eventOf(JSON.stringify(record)).body.equals(bytes)).toBe(true);
  });

  it('reads the outcome of a delivery record', () => {
    const record = {
      kind: 'delivery',
      source: 'forward',
      event_id: 'evt_1',
      type: 'x',
      body: ENVELOPE,
      ok: false,
      attempts: [{ at: '2025-01-31T12:00:00Z' }],
    };
    const found = extract(JSON.stringify(record));

    expect(found).toMatchObject({
      event: { id: 'evt_1', shape: 'delivery' },
      outcome: { id: 'evt_1', ok: false },
    });
  });

  it('finds an envelope string under body', () => {
    const event = eventOf(
      JSON.stringify({
        level: 'error',
        msg: 'webhook failed',
        body: ENVELOPE,
        time: '2025-02-01T00:00:00Z',
      }),
    );

    expect(event.body.toString('utf8')).toBe(ENVELOPE);
    expect(event.shape).toBe('app-log');
    expect(event.time).toBe(Date.parse('2025-02-01T00:00:00Z'));
  });

  it('keeps a nested envelope object as written', () => {
    const line = `{"level":"error","payload": ${ENVELOPE.replace(',', ' ,  ')} ,"ts":1}`;
    const event = eventOf(line);

    expect(event.body.toString('utf8')).toBe(ENVELOPE.replace(',', ' ,  '));
  });

  it('finds an envelope under event', () => {
    expect(eventOf(`{"event":${ENVELOPE}}`).id).toBe('evt_1');
  });

  it.each([
    ['a number', '42'],
    ['an unrelated object', '{"level":"info","msg":"started"}'],
    ['a body that is no envelope', '{"body":"hello"}'],
    ['an object without data', '{"id":"req_1","type":"http"}'],
  ])('rejects %s', (_name, raw) => {
    expect(extract(raw)).toHaveProperty('unusable');
  });

  it('rejects a record without a body', () => {
    expect(extract('{"kind":"capture","event_id":"evt_1","type":"x"}')).toEqual({
      unusable: 'capture record without a body',
    });
  });

  it('rejects a record of a non-event body', () => {
    const found = extract(
      JSON.stringify({ kind: 'capture', event_id: null, type: null, body: 'ping' }),
    );

    expect(found).toHaveProperty('unusable');
  });
});

describe('findMemberText', () => {
  it('returns the exact text of a member', () => {
    const raw = '{"a": 1, "b" : { "x" : "}\\"" } , "c":[1, {"d":2}]}';

    expect(findMemberText(raw, 'b')).toBe('{ "x" : "}\\"" }');
    expect(findMemberText(raw, 'c')).toBe('[1, {"d":2}]');
    expect(findMemberText(raw, 'a')).toBe('1');
    expect(findMemberText(raw, 'z')).toBeUndefined();
  });

  it('takes the last of repeated keys', () => {
    expect(findMemberText('{"a":{"n":1},"a":{"n":2}}', 'a')).toBe('{"n":2}');
  });
});

describe('extractEvent without bodies', () => {
  function skim(raw: string): Extraction {
    const frame = { kind: 'value' as const, line: 3, raw, value: JSON.parse(raw) };
    return extractEvent(frame, 'capture.ndjson', { keepBody: false });
  }

  const capture = {
    kind: 'capture',
    event_id: 'evt_1',
    type: 'payment.succeeded',
    received_at: '2025-01-31T12:00:00Z',
    headers: { 'pllay-signature': 'abc' },
    body: ENVELOPE,
  };

  it('reads id, type and time', () => {
    const found = skim(JSON.stringify(capture));

    const event = 'event' in found ? found.event : undefined;

    expect(event).toMatchObject({ id: 'evt_1', type: 'payment.succeeded', shape: 'capture' });
    expect(event?.line).toBe(3);
    expect(event?.time).toBe(Date.parse('2025-01-31T12:00:00Z'));
  });

  it('leaves out body and signature', () => {
    const found = skim(JSON.stringify(capture));
    const event = 'event' in found ? found.event : undefined;

    expect(event?.body.length).toBe(0);
    expect(event?.signature).toBeUndefined();
  });

  it('keeps delivery outcomes', () => {
    const record = { ...capture, kind: 'delivery', ok: false, attempts: [] };

    expect(skim(JSON.stringify(record))).toMatchObject({ outcome: { id: 'evt_1', ok: false } });
  });

  it('rejects a record without body', () => {
    const { body: _body, ...record } = capture;

    expect(skim(JSON.stringify(record))).toEqual({ unusable: 'capture record without a body' });
  });

  it('reads the id from the body when needed', () => {
    const { event_id: _id, ...record } = capture;

    expect(skim(JSON.stringify(record))).toMatchObject({ event: { id: 'evt_1' } });
  });

  it('skips the body of an envelope', () => {
    const found = skim(ENVELOPE);
    const event = 'event' in found ? found.event : undefined;

    expect(event).toMatchObject({ id: 'evt_1', shape: 'envelope' });
    expect(event?.body.length).toBe(0);
  });
});
