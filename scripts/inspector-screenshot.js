// Takes docs/inspector.png from a real run. It starts a small app on 127.0.0.1 and `listen --ui`
// forwarding to it, then sends one event of every type and one with a wrong signature. In
// headless Chromium (/usr/bin/chromium) it replays an event from the page and saves the view.
//
//   npm run screenshot:inspector     (builds first)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'pllay-hooks.js');
const OUTPUT = join(ROOT, 'docs', 'inspector.png');
const SECRET = 'whsec_inspector_docs';

const folder = mkdtempSync(join(tmpdir(), 'pllay-hooks-screenshot-'));
const cleanups = [() => rmSync(folder, { recursive: true, force: true })];

try {
  await main();
  console.log(`wrote ${OUTPUT}`);
} catch (error) {
  console.error(`error: ${error.stack}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) {
    await cleanup();
  }
}

async function main() {
  const app = await startApp();
  const listen = startCli(['listen', '--port', '0', '--log', join(folder, 'capture.ndjson'), '--secret', SECRET, '--forward-to', app, '--ui']);
  const inspector = await listen.waitFor(/^Inspector on (\S+)/m);
  const webhooks = await listen.waitFor(/^Listening on (\S+)/m);

  await runCli(['send', '--all', '--to', webhooks, '--secret', SECRET]);
  await runCli(['send', 'payment.failed', '--to', webhooks, '--secret', 'whsec_not_the_one']);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  cleanups.push(() => browser.close());

  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(inspector);
  await page.locator('#count', { hasText: '14 events' }).waitFor();
  await page.locator('.row', { hasText: 'payment.succeeded' }).click();
  await page.locator('#replay-button').click();
  await page.locator('#replay-status.ok').waitFor();
  await page.locator('#list').focus();
  await page.screenshot({ path: OUTPUT });
}

/** Starts a stand-in for the developer's app, which accepts every event but kyc.failed (500). */
async function startApp() {
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const failing = Buffer.concat(chunks).toString('utf8').includes('"type":"kyc.failed"');
      response.writeHead(failing ? 500 : 200, { 'content-type': 'application/json' });
      response.end(failing ? '{"error":"no handler for kyc.failed"}' : '{"received":true}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${server.address().port}`;
}

/** Starts the CLI in the background. Its `waitFor` resolves with the first group of a stdout match. */
function startCli(args) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'close');
    }
  });

  const waitFor = (pattern) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(stdout);
        if (match) {
          child.stdout.off('data', check);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', check);
      child.once('close', () => reject(new Error(`listen exited before printing ${pattern}:\n${stdout}`)));
      check();
    });
  return { waitFor };
}

async function runCli(args) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = await once(child, 'close');
  if (code !== 0) {
    throw new Error(`pllay-hooks ${args.join(' ')} exited with ${code}`);
  }
}
