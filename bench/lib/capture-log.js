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
  const template = JSON.parse(body);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const stream = createWriteStream(path);
  let bytes = 0;

  for (let first = 0; first < count; first += LINES_PER_WRITE) {
    const lines = [];
    for (let index = first; index < Math.min(count, first + LINES_PER_WRITE); index++) {
      lines.push(JSON.stringify(captureRecord(template, index, start)));
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

function captureRecord(template, index, start) {
  const id = `evt_${String(index).padStart(16, '0')}`;
  const body = JSON.stringify({ ...template, id });
  const signature = sign(body, SECRET);

  return {
    kind: 'capture',
    event_id: id,
    type: SAMPLE_TYPE,
    received_at: new Date(start + index * 10).toISOString(),
    method: 'POST',
    path: '/webhooks/pllay',
    headers: {
      host: '127.0.0.1:7575',
      connection: 'keep-alive',
      'content-type': 'application/json',
      'user-agent': 'pllay-hooks/0.1.0',
      'pllay-signature': signature,
      'content-length': String(Buffer.byteLength(body)),
    },
    size: Buffer.byteLength(body),
    body,
    signature: 'valid',
    signature_reason: 'signature matches',
    signature_header: 'pllay-signature',
    signature_form: 'hex',
    remote_address: '127.0.0.1',
  };
}
