import { createServer, type Server } from 'node:http';

import { listenOn } from '../listen-on.js';
import type { Inspector } from './inspector.js';
import { INSPECTOR_PREFIX, sendError } from './http.js';

export interface RunningInspectorServer {
  server: Server;
  /** Base URL, such as http://127.0.0.1:7576 (IPv6 hosts in brackets). */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the inspector on a port of its own, for `listen --ui-port`. The
 * root redirects to the inspector's page, and other paths get 404.
 */
export async function startInspectorServer(
  inspector: Inspector,
  options: { host: string; port: number },
): Promise<RunningInspectorServer> {
  const server = createServer((request, response) => {
    if (inspector.handle(request, response)) {
      return;
    }
    if (request.url === '/') {
      response.writeHead(302, { location: INSPECTOR_PREFIX }).end();
      return;
    }
    sendError(response, 404, `not found: the inspector is at ${INSPECTOR_PREFIX}`);
  });

  const { url } = await listenOn(server, options.port, options.host);
  return {
    server,
    url,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
