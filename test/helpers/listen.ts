import { join } from 'node:path';

import { startCli, type CliOptions, type RunningCli } from './cli.js';
import { tempDir } from './temp.js';

export interface RunningListen {
  cli: RunningCli;
  /** The URL from the first line, such as http://127.0.0.1:41234/webhooks/pllay. */
  url: string;
  /** The capture log, in a temporary folder that remove() deletes. */
  log: string;
  remove(): void;
}

/**
 * Starts `listen --port 0` with a capture log in a temporary folder, and
 * resolves once it has printed the URL it listens on.
 */
export async function startListen(args: string[], options: CliOptions = {}): Promise<RunningListen> {
  const folder = tempDir();
  const log = join(folder.path, 'capture.ndjson');
  const cli = startCli(['listen', '--port', '0', '--log', log, ...args], options);

  try {
    const [, url] = await cli.waitForLine(/^Listening on (\S+)/m);
    return { cli, url: url!, log, remove: folder.remove };
  } catch (error) {
    await cli.stop();
    folder.remove();
    throw error;
  }
}
