import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { EVENT_TYPE_NAMES } from '../../src/events/catalog.js';
import { browserSkipReason, launchChromium } from '../helpers/browser.js';
import { BIN, cliEnv, runCli } from '../helpers/cli.js';
import { startListen, type RunningListen } from '../helpers/listen.js';
import { startTestServer, type TestHandler, type TestServer } from '../helpers/server.js';
import { startGoodApp } from '../helpers/webhook-apps.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_inspector_browser';
const skipReason = browserSkipReason();
if (skipReason) {
  console.warn(`Skipping the inspector browser tests: ${skipReason}`);
}

let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const listens: RunningListen[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

/** Fails a test on any error in the page or its scripts. */
const pageErrors: string[] = [];

describe.skipIf(skipReason !== undefined)('inspector in Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    const stopping = listens.splice(0);
    await Promise.all(stopping.map((listen) => listen.cli.stop()));
    stopping.forEach((listen) => listen.remove());
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup();
    }
    const errors = pageErrors.splice(0);
    expect(errors).toEqual([]);
  });

  it('lists sent events live', async () => {
    const running = await listen([]);
    const page = await openInspector(running);

    await send(running, ['--all']);

    await expectCount(page, `${EVENT_TYPE_NAMES.length} events`);
    const types = await page.locator('.row .type').allTextContents();
    expect(types).toHaveLength(EVENT_TYPE_NAMES.length);
    expect(new Set(types)).toEqual(new Set(EVENT_TYPE_NAMES));
    expect(await topRowType(page)).toBe(EVENT_TYPE_NAMES.at(-1));
    expect(await page.locator('.row .verdict').first().textContent()).toBe('✔ valid');
    expect(await page.locator('#connection').textContent()).toBe('Live');
  });

  it('loads events sent before it opened', async () => {
    const running = await listen([]);
    await send(running, ['--all']);

    const page = await openInspector(running);

    await expectCount(page, `${EVENT_TYPE_NAMES.length} events`);
  });

  it('opens an event and replays it', async () => {
    const target = await app();
    const running = await listen(['--forward-to', target.url]);
    const page = await openInspector(running);
    await send(running, ['payment.succeeded']);
    await page.locator('.row .delivery', { hasText: '✔ 200' }).waitFor();

    await page.locator('.row', { hasText: 'payment.succeeded' }).click();
    await page.locator('#detail-title', { hasText: 'payment.succeeded' }).waitFor();
    const id = (await page.locator('.row .id').first().textContent())!;
    expect(await page.locator('#detail-title').textContent()).toBe(`payment.succeeded · ${id}`);
    expect(await page.locator('#verdict').textContent()).toBe('✔ valid');
    expect(await page.locator('#panel-json .key', { hasText: '"data"' }).count()).toBe(1);
    expect(await page.locator('#attempts tbody tr').count()).toBe(1);
    expect(await page.locator('#replay-url').inputValue()).toBe(`${target.url}/webhooks/pllay`);

    await page.locator('#replay-button').click();

    await page.locator('#replay-status.ok').waitFor();
    expect(await page.locator('#replay-status').textContent()).toBe(
      `✔ Delivered to ${target.url}/webhooks/pllay: accepted with 200.`,
    );
    await expect.poll(() => page.locator('#attempts tbody tr').count()).toBe(2);
    expect(await page.locator('#attempts tbody tr').nth(1).textContent()).toContain('replay');
    await page.locator('.row .delivery', { hasText: '✔ replay 200' }).waitFor();
    expect(target.requests).toHaveLength(2);
    expect(target.requests[1]!.body.equals(target.requests[0]!.body)).toBe(true);
    const replayed = readNdjson(running.log).filter((record) => record.source === 'replay');
    expect(replayed).toEqual([expect.objectContaining({ event_id: id, ok: true, target: `${target.url}/webhooks/pllay` })]);
  });

  it('replays to a typed URL', async () => {
    const target = await app();
    const running = await listen([]);
    await send(running, ['kyc.started']);
    const page = await openInspector(running);
    await page.locator('.row').first().click();
    await page.locator('#detail').waitFor();

    await page.locator('#replay-url').fill(`${target.url}/hooks/pllay`);
    await page.locator('#replay-button').click();

    await page.locator('#replay-status.ok').waitFor();
    expect(target.requests.map((request) => request.url)).toEqual(['/hooks/pllay']);
    expect(await page.locator('#replay-command').textContent()).toContain(`--to ${target.url}/hooks/pllay`);
  });

  it('reports a failed replay', async () => {
    const target = await app((_request, response) => {
      response.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"unprocessable"}');
    });
    const running = await listen([]);
    await send(running, ['wager.created']);
    const page = await openInspector(running);
    await page.locator('.row').first().click();
    await page.locator('#detail').waitFor();

    await page.locator('#replay-url').fill(target.url);
    await page.locator('#replay-button').click();

    await page.locator('#replay-status.error').waitFor();
    expect(await page.locator('#replay-status').textContent()).toContain('rejected with 422; not retried');
    await page.locator('.row .delivery', { hasText: '✖ replay 422' }).waitFor();
    expect(await page.locator('#attempts tbody tr').first().textContent()).toContain('{"error":"unprocessable"}');
  });

  it('copies a working replay command', async () => {
    const target = await app();
    const running = await listen([]);
    await send(running, ['payment.refunded']);
    const page = await openInspector(running);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.locator('.row').first().click();
    await page.locator('#detail').waitFor();
    await page.locator('#replay-url').fill(target.url);

    await page.locator('#copy-replay').click();
    await page.locator('#copy-status', { hasText: 'Copied' }).waitFor();
    const command = (await page.evaluate('navigator.clipboard.readText()')) as string;
    const id = (await page.locator('.row .id').first().textContent())!;

    expect(command).toBe(`pllay-hooks replay ${running.log} --id ${id} --to ${target.url}`);
    const result = await runShell(command.replace(/^pllay-hooks /, `${process.execPath} ${BIN} `), {
      PLLAY_WEBHOOK_SECRET: SECRET,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(target.requests).toHaveLength(1);
    expect(JSON.parse(target.requests[0]!.body.toString('utf8')).id).toBe(id);
  });

  it.skipIf(!existsSync('/usr/bin/curl'))('copies a working curl command', async () => {
    const target = await startGoodApp(SECRET);
    cleanups.push(() => target.close());
    const running = await listen([]);
    await send(running, ['tournament.ended']);
    const page = await openInspector(running);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.locator('.row').first().click();
    await page.locator('#detail').waitFor();
    await page.locator('#replay-url').fill(`${target.url}/webhooks/pllay`);

    await page.locator('#copy-curl').click();
    await page.locator('#copy-status', { hasText: 'Copied' }).waitFor();
    const command = (await page.evaluate('navigator.clipboard.readText()')) as string;
    const result = await runShell(`${command} --silent --show-error`);

    expect(command).toMatch(/^curl /);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"received":true}');
    expect(target.requests[0]!.body.toString('utf8')).toBe(readNdjson(running.log)[0]!.body);
  });

  it('shows markup as text', async () => {
    const running = await listen([]);
    const folder = tempDir();
    cleanups.push(() => folder.remove());
    const payload = join(folder.path, 'markup.json');
    writeFileSync(
      payload,
      JSON.stringify({
        id: 'evt_markup',
        type: '<img src=x onerror="window.__typeRan=1">',
        created: 1_700_000_000,
        data: { object: { note: '<script>window.__scriptRan = 1</script>', image: '<img src=x onerror="window.__imageRan=1">' } },
      }),
    );
    await send(running, ['--payload', payload, '--header', 'x-note: <img src=x onerror="window.__headerRan=1">']);
    // Without the page's content security policy, only the way the page builds its DOM keeps
    // the markup inert.
    const page = await openInspector(running, { bypassCSP: true });
    await page.locator('.row').first().click();
    await page.locator('#detail').waitFor();

    expect(await page.locator('.row .type').first().textContent()).toBe('<img src=x onerror="window.__typeRan=1">');
    expect(await page.locator('#panel-json .string', { hasText: '<script>' }).textContent()).toBe(
      '"<script>window.__scriptRan = 1</script>"',
    );
    await page.locator('#tab-raw').click();
    expect(await page.locator('#raw').textContent()).toContain('<img src=x onerror=\\"window.__imageRan=1\\">');
    await page.locator('#tab-headers').click();
    expect(await page.locator('#headers tbody').textContent()).toContain('<img src=x onerror="window.__headerRan=1">');
    expect(await page.locator('main img, main script').count()).toBe(0);
    const ran = await page.evaluate('[window.__typeRan, window.__scriptRan, window.__imageRan, window.__headerRan].map((value) => typeof value)');
    expect(ran).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
  });

  it('shows a binary body as hex', async () => {
    const running = await listen([]);
    const folder = tempDir();
    cleanups.push(() => folder.remove());
    const payload = join(folder.path, 'binary.bin');
    writeFileSync(payload, Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x41, 0x7d]));
    await send(running, ['--payload', payload]);
    const page = await openInspector(running);

    await page.locator('.row').first().click();
    await page.locator('#detail').waitFor();

    expect(await page.locator('.row .type').first().textContent()).toBe('(not an event)');
    expect(await page.locator('#tab-raw').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#raw-note').textContent()).toBe('6 bytes that are not valid UTF-8, shown as hex.');
    expect(await page.locator('#raw').textContent()).toBe(`00000000  ${'7b ff fe 00 41 7d'.padEnd(47)}  {...A}`);
    expect(await page.locator('#replay-button').isDisabled()).toBe(true);
    expect(await page.locator('#replay-status').textContent()).toMatch(/^Cannot replay: /);
  });

  it('filters by type, verdict and id', async () => {
    const target = await app((request, response) => {
      const failing = request.body.toString('utf8').includes('"type":"kyc.failed"');
      response.writeHead(failing ? 500 : 200).end();
    });
    const running = await listen(['--forward-to', target.url]);
    await send(running, ['--all']);
    await send(running, ['payment.failed'], 'whsec_some_other_secret');
    const page = await openInspector(running);
    await expectCount(page, `${EVENT_TYPE_NAMES.length + 1} events`);

    await page.locator('#filter-verdict').selectOption('invalid');
    await expectCount(page, `1 of ${EVENT_TYPE_NAMES.length + 1} events match the filters`);
    expect(await page.locator('.row .verdict').textContent()).toBe(
      '✖ invalid: signature does not match the body under the secret',
    );
    expect(await page.locator('.row .delivery').textContent()).toBe('not forwarded');

    await page.locator('#filter-verdict').selectOption('');
    await page.locator('#filter-type').selectOption('payment.failed');
    await expectCount(page, `2 of ${EVENT_TYPE_NAMES.length + 1} events match the filters`);

    await page.locator('#filter-type').selectOption('');
    await page.locator('#filter-failed').check();
    await expectCount(page, `1 of ${EVENT_TYPE_NAMES.length + 1} events match the filters`);
    expect(await topRowType(page)).toBe('kyc.failed');
    expect(await page.locator('.row .delivery').textContent()).toMatch(/^✖ 500 · \d+ ms$/);

    await page.locator('#filter-failed').uncheck();
    const id = (await page.locator('.row', { hasText: 'wager.completed' }).locator('.id').textContent())!;
    await page.locator('#filter-id').fill(id.slice(4, 12).toUpperCase());
    await expectCount(page, `1 of ${EVENT_TYPE_NAMES.length + 1} events match the filters`);
    expect(await topRowType(page)).toBe('wager.completed');
  });

  it('navigates with the keyboard', async () => {
    const running = await listen([]);
    await send(running, ['--all']);
    const page = await openInspector(running);
    await expectCount(page, `${EVENT_TYPE_NAMES.length} events`);

    await page.locator('#filter-id').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');

    const third = EVENT_TYPE_NAMES.at(-3)!;
    await page.locator('#detail-title', { hasText: third }).waitFor();
    const list = page.locator('#list');
    expect(await page.evaluate('document.activeElement.id')).toBe('list');
    const active = await list.getAttribute('aria-activedescendant');
    expect(await page.locator(`#${active} .type`).textContent()).toBe(third);
    expect(await page.locator(`#${active}`).getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate("getComputedStyle(document.getElementById('list')).outlineStyle")).toBe('solid');

    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.locator('#detail-title', { hasText: EVENT_TYPE_NAMES[0]! }).waitFor();
  });

  it('windows thousands of events', async () => {
    const folder = tempDir();
    cleanups.push(() => folder.remove());
    const log = join(folder.path, 'capture.ndjson');
    writeFileSync(log, Array.from({ length: 3000 }, (_, index) => captureLine(index + 1)).join(''));
    const running = await listen(['--log', log]);
    const page = await openInspector(running);

    await expectCount(page, '2000 events');
    expect(await page.locator('.row').count()).toBeLessThan(80);
    expect(await page.locator('.row .id').first().textContent()).toBe('evt_hist_3000');

    await page.evaluate("document.getElementById('list').scrollTop = 1e9");
    await page.locator('.row .id', { hasText: 'evt_hist_1001' }).waitFor();
    expect(await page.locator('.row').count()).toBeLessThan(80);

    await send(running, ['tournament.started']);
    await expectCount(page, '2001 events');
  });
}, 60_000);

async function listen(args: string[]): Promise<RunningListen> {
  const running = await startListen(['--secret', SECRET, '--ui', ...args]);
  listens.push(running);
  await running.cli.waitForLine(/^Inspector on /m);
  return running;
}

function inspectorUrl(running: RunningListen): string {
  const match = /^Inspector on (\S+)/m.exec(running.cli.stdout());
  return match![1]!;
}

async function openInspector(running: RunningListen, options: { bypassCSP?: boolean } = {}): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(inspectorUrl(running));
  await page.locator('#connection.live').waitFor();
  return page;
}

async function send(running: RunningListen, args: string[], secret = SECRET): Promise<void> {
  const result = await runCli(['send', ...args, '--to', running.url, '--secret', secret]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

/** Runs a command line copied from the page with bash, as a person pasting it would. */
async function runShell(command: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', command], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

async function app(handler?: TestHandler): Promise<TestServer> {
  const server = await startTestServer(handler);
  cleanups.push(() => server.close());
  return server;
}

async function expectCount(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.locator('#count').textContent(), { timeout: 10_000 }).toBe(text);
}

function topRowType(page: Page): Promise<string | null> {
  return page.locator('.row .type').first().textContent();
}

function captureLine(index: number): string {
  const body = JSON.stringify({ id: `evt_hist_${index}`, type: 'wager.created', created: 1_700_000_000, data: { object: {} } });
  const record = {
    kind: 'capture',
    event_id: `evt_hist_${index}`,
    type: 'wager.created',
    received_at: new Date(1_700_000_000_000 + index * 1000).toISOString(),
    method: 'POST',
    path: '/webhooks/pllay',
    headers: { 'content-type': 'application/json' },
    size: Buffer.byteLength(body),
    body,
    signature: 'unchecked',
    signature_reason: 'no secret to check against',
  };
  return `${JSON.stringify(record)}\n`;
}
