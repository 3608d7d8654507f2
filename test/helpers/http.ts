import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawRequest {
  method?: string;
  body?: Buffer | string;
  headers?: OutgoingHttpHeaders;
  /** Sends the body in chunks, with no content-length. */
  chunked?: boolean;
}

/**
 * Sends one request with node:http and exactly the given headers and body,
 * on a fresh connection, so tests can send what pllay-hooks itself never
 * would: tampered bodies, malformed signatures, oversized or chunked bodies.
 */
export function sendRaw(url: string, options: RawRequest = {}): Promise<RawResponse> {
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json',
    ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length }),
    ...options.headers,
  };

  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      response.on('error', reject);
    });
    request.on('error', reject);

    if (options.chunked) {
      writeInChunks(request, body);
    } else {
      request.end(body);
    }
  });
}

function writeInChunks(request: { write(chunk: Buffer): boolean; end(): void }, body: Buffer): void {
  const size = 16 * 1024;
  for (let offset = 0; offset < body.length; offset += size) {
    request.write(body.subarray(offset, offset + size));
  }
  request.end();
}
