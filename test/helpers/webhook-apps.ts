import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';

import { EVENT_TYPE_NAMES } from '../../src/events/catalog.js';
import { startTestServer, type ReceivedRequest, type TestServer } from './server.js';

/**
 * Webhook receivers written the way app developers write them, each with
 * its own HMAC code rather than pllay-hooks' own, for `check` to score.
 */

function respond(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Compares a hex signature with the HMAC-SHA256 of the raw body, in constant time. */
function signatureMatches(body: Buffer, signature: unknown, secret: string): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) {
    return false;
  }
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(Buffer.from(signature, 'hex'), expected);
}

function parseEvent(body: Buffer): { id: string; type: string } | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as { id: string; type: string };
  } catch {
    return undefined;
  }
}

/**
 * Follows every practice. It verifies the raw body before responding (401
 * on a mismatch), and responds with 400 to a body that is not JSON and 200
 * to a duplicate or to a type it does not handle.
 */
export function startGoodApp(secret: string): Promise<TestServer> {
  const processed = new Set<string>();

  return startTestServer((request, response) => {
    if (!signatureMatches(request.body, request.headers['pllay-signature'], secret)) {
      respond(response, 401, { error: 'invalid signature' });
      return;
    }

    const event = parseEvent(request.body);
    if (event === undefined) {
      respond(response, 400, { error: 'body is not JSON' });
      return;
    }
    if (processed.has(event.id)) {
      respond(response, 200, { received: true, duplicate: true });
      return;
    }
    processed.add(event.id);
    respond(response, 200, { received: true });
  });
}

/** An app like PLLAY's example handler, which responds with 200 first and verifies afterwards. */
export interface AcknowledgeFirstApp extends TestServer {
  /** Requests whose signature failed verification after the 200 was sent. */
  rejectedAfterAnswer: ReceivedRequest[];
}

export async function startAcknowledgeFirstApp(secret: string): Promise<AcknowledgeFirstApp> {
  const rejectedAfterAnswer: ReceivedRequest[] = [];

  const server = await startTestServer((request, response) => {
    respond(response, 200, { received: true });

    // The verification of PLLAY's example: Buffer.from on the header as it is, which
    // throws for a missing header and, in timingSafeEqual, for a wrong length.
    try {
      const expected = createHmac('sha256', secret).update(request.body).digest('hex');
      const signature = request.headers['pllay-signature'] as string;
      if (!timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
        throw new Error('Invalid signature');
      }
    } catch {
      rejectedAfterAnswer.push(request);
    }
  });
  return Object.assign(server, { rejectedAfterAnswer });
}

/**
 * Breaks three practices. It responds only after `delayMs`, responds with
 * 500 to an event id it has seen and to a type it does not know, and never
 * checks the signature.
 */
export function startCarelessApp(delayMs: number): Promise<TestServer> {
  const processed = new Set<string>();

  return startTestServer(async (request, response) => {
    await delay(delayMs);

    const event = parseEvent(request.body);
    if (event === undefined) {
      respond(response, 400, { error: 'body is not JSON' });
      return;
    }
    if (!EVENT_TYPE_NAMES.includes(event.type)) {
      respond(response, 500, { error: `no handler for ${event.type}` });
      return;
    }
    if (processed.has(event.id)) {
      respond(response, 500, { error: `duplicate key value violates unique constraint "events_pkey"` });
      return;
    }
    processed.add(event.id);
    respond(response, 200, { received: true });
  });
}
