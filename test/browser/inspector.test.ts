import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { EVENT_TYPE_NAMES } from '../../src/events/catalog.js';
import { browserDrivers, browserSkipReason, type BrowserDriver, type BrowserPage, type PageOptions } from '../helpers/browser.js';
import { BIN, cliEnv, runCli } from '../helpers/cli.js';
import { startListen, type RunningListen } from '../helpers/listen.js';
import { startTestServer, type TestHandler, type TestServer } from '../helpers/server.js';
import { startGoodApp } from '../helpers/webhook-apps.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_inspector_browser';
const listens: RunningListen[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

// One table of behaviours, run in each browser.
for (const driver of browserDrivers()) {
  const skipReason = browserSkipReason(driver);
  if (skipReason) {
    console.warn(`Skipping the inspector tests in ${driver.name}: ${skipReason}`);
  }

  describe.skipIf(skipReason !== undefined)(`inspector in ${driver.name}`, () => {
    defineInspectorTests(driver);
  }, 90_000);
}

function defineInspectorTests(driver: BrowserDriver): void {
  beforeAll(async () => {
    await driver.launch();
  }, 60_000);

  afterAll(async () => {
    await driver.close();
  });

  afterEach(async () => {
    // Page errors, such as an uncaught exception in the page's script, fail the test.
    const errors = await driver.closePages();
    const stopping = listens.splice(0);
    await Promise.all(stopping.map((listen) => listen.cli.stop()));
    stopping.forEach((listen) => listen.remove());
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup();
    }
    expect(errors).toEqual([]);
  });

  /** Opens the inspector of a running listen and waits until its event stream is live. */
  async function openInspector(running: RunningListen, options: PageOptions = {}): Promise<BrowserPage> {
    const page = await driver.newPage(options);

    await page.goto(inspectorUrl(running));
    await page.waitFor('#connection.live');
    return page;
  }

  it('lists sent events live', async () => {
    const running = await listen([]);
    const page = await openInspector(running);

    await send(running, ['--all']);

    await expectCount(page, `${EVENT_TYPE_NAMES.length} events`);
    const types = await page.texts('.row .type');
    expect(types).toHaveLength(EVENT_TYPE_NAMES.length);
    expect(new Set(types)).toEqual(new Set(EVENT_TYPE_NAMES));
    expect(await topRowType(page)).toBe(EVENT_TYPE_NAMES.at(-1));
    expect(await page.text('.row .verdict', { nth: 0 })).toBe('✔ valid');
    expect(await page.text('#connection')).toBe('Live');
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
    await page.waitFor('.row .delivery', { hasText: '✔ 200' });

    await page.click('.row', { hasText: 'payment.succeeded' });
    await page.waitFor('#detail-title', { hasText: 'payment.succeeded' });
    const id = await page.text('.row .id', { nth: 0 });
    expect(await page.text('#detail-title')).toBe(`payment.succeeded · ${id}`);
    expect(await page.text('#verdict')).toBe('✔ valid');
    expect((await page.texts('#panel-json .key')).filter((key) => key === '"data"')).toHaveLength(1);
    expect(await page.count('#attempts tbody tr')).toBe(1);
    expect(await page.value('#replay-url')).toBe(`${target.url}/webhooks/pllay`);

    await page.click('#replay-button');

    await page.waitFor('#replay-status.ok');
    expect(await page.text('#replay-status')).toBe(
      `✔ Delivered to ${target.url}/webhooks/pllay: accepted with 200.`,
    );
    await expect.poll(() => page.count('#attempts tbody tr')).toBe(2);
    expect(await page.text('#attempts tbody tr', { nth: 1 })).toContain('replay');
    await page.waitFor('.row .delivery', { hasText: '✔ replay 200' });
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
    await page.click('.row', { nth: 0 });
    await page.waitFor('#detail');

    await page.fill('#replay-url', `${target.url}/hooks/pllay`);
    await page.click('#replay-button');

    await page.waitFor('#replay-status.ok');
    expect(target.requests.map((request) => request.url)).toEqual(['/hooks/pllay']);
    expect(await page.text('#replay-command')).toContain(`--to ${target.url}/hooks/pllay`);
  });

  it('reports a failed replay', async () => {
    const target = await app((_request, response) => {
      response.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"unprocessable"}');
    });
    const running = await listen([]);
    await send(running, ['wager.created']);
    const page = await openInspector(running);
    await page.click('.row', { nth: 0 });
    await page.waitFor('#detail');

    await page.fill('#replay-url', target.url);
    await page.click('#replay-button');

    await page.waitFor('#replay-status.error');
    expect(await page.text('#replay-status')).toContain('rejected with 422; not retried');
    await page.waitFor('.row .delivery', { hasText: '✖ replay 422' });
    expect(await page.text('#attempts tbody tr', { nth: 0 })).toContain('{"error":"unprocessable"}');
  });

  it('copies a working replay command', async () => {
    const target = await app();
    const running = await listen([]);
    await send(running, ['payment.refunded']);
    const page = await openInspector(running);
    await page.click('.row', { nth: 0 });
    await page.waitFor('#detail');
    await page.fill('#replay-url', target.url);

    await page.click('#copy-replay');
    await page.waitFor('#copy-status', { hasText: 'Copied' });
    const command = await page.readClipboard();
    const id = await page.text('.row .id', { nth: 0 });

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
    await page.click('.row', { nth: 0 });
    await page.waitFor('#detail');
    await page.fill('#replay-url', `${target.url}/webhooks/pllay`);

    await page.click('#copy-curl');
    await page.waitFor('#copy-status', { hasText: 'Copied' });
    const command = await page.readClipboard();
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
    await page.click('.row', { nth: 0 });
    await page.waitFor('#detail');

    expect(await page.text('.row .type', { nth: 0 })).toBe('<img src=x onerror="window.__typeRan=1">');
    expect(await page.text('#panel-json .string', { hasText: '<script>' })).toBe(
      '"<script>window.__scriptRan = 1</script>"',
    );
    await page.click('#tab-raw');
    expect(await page.text('#raw')).toContain('<img src=x onerror=\\"window.__imageRan=1\\">');
    await page.click('#tab-headers');
    expect(await page.text('#headers tbody')).toContain('<img src=x onerror="window.__headerRan=1">');
    expect(await page.count('main img, main script')).toBe(0);
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

    await page.click('.row', { nth: 0 });
    await page.waitFor('#detail');

    expect(await page.text('.row .type', { nth: 0 })).toBe('(not an event)');
    expect(await page.attribute('#tab-raw', 'aria-selected')).toBe('true');
    expect(await page.text('#raw-note')).toBe('6 bytes that are not valid UTF-8, shown as hex.');
    expect(await page.text('#raw')).toBe(`00000000  ${'7b ff fe 00 41 7d'.padEnd(47)}  {...A}`);
    expect(await page.isDisabled('#replay-button')).toBe(true);
    expect(await page.text('#replay-status')).toMatch(/^Cannot replay: /);
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

    await page.select('#filter-verdict', 'invalid');
    await expectCount(page, `1 of ${EVENT_TYPE_NAMES.length + 1} events match the filters`);
    expect(await page.text('.row .verdict')).toBe(
      '✖ invalid: signature does not match the body under the secret',
    );
    expect(await page.text('.row .delivery')).toBe('not forwarded');

    await page.select('#filter-verdict', '');
    await page.select('#filter-type', 'payment.failed');
    await expectCount(page, `2 of ${EVENT_TYPE_NAMES.length + 1} events match the filters`);

    await page.select('#filter-type', '');
    await page.setChecked('#filter-failed', true);
    await expectCount(page, `1 of ${EVENT_TYPE_NAMES.length + 1} events match the filters`);
    expect(await topRowType(page)).toBe('kyc.failed');
    expect(await page.text('.row .delivery')).toMatch(/^✖ 500 · \d+ ms$/);

    await page.setChecked('#filter-failed', false);
    // The list renders after the change event, so the rows are read once every event is back.
    await expectCount(page, `${EVENT_TYPE_NAMES.length + 1} events`);
    await expect.poll(() => page.texts('.row .type'), { timeout: 10_000 }).toContain('wager.completed');
    const types = await page.texts('.row .type');
    const id = (await page.texts('.row .id'))[types.indexOf('wager.completed')]!;
    await page.fill('#filter-id', id.slice(4, 12).toUpperCase());
    await expectCount(page, `1 of ${EVENT_TYPE_NAMES.length + 1} events match the filters`);
    expect(await topRowType(page)).toBe('wager.completed');
  });

  it('navigates with the keyboard', async () => {
    const running = await listen([]);
    await send(running, ['--all']);
    const page = await openInspector(running);
    await expectCount(page, `${EVENT_TYPE_NAMES.length} events`);

    await page.focus('#filter-id');
    await page.press('Tab');
    await page.press('ArrowDown');
    await page.press('ArrowDown');
    await page.press('Enter');

    const third = EVENT_TYPE_NAMES.at(-3)!;
    await page.waitFor('#detail-title', { hasText: third });
    expect(await page.evaluate('document.activeElement.id')).toBe('list');
    const active = await page.attribute('#list', 'aria-activedescendant');
    expect(await page.text(`#${active} .type`)).toBe(third);
    expect(await page.attribute(`#${active}`, 'aria-selected')).toBe('true');
    expect(await page.evaluate("getComputedStyle(document.getElementById('list')).outlineStyle")).toBe('solid');

    await page.press('End');
    await page.press('Enter');
    await page.waitFor('#detail-title', { hasText: EVENT_TYPE_NAMES[0]! });

    await page.focus('#list');
    await page.press('Home');
    await page.press(' ');
    await page.waitFor('#detail-title', { hasText: EVENT_TYPE_NAMES.at(-1)! });
  });

  it('switches request tabs with arrows', async () => {
    const running = await listen([]);
    await send(running, ['kyc.completed']);
    const page = await openInspector(running);
    await page.click('.row', { nth: 0 });
    await page.waitFor('#detail');

    await page.focus('#tab-json');
    await page.press('ArrowRight');

    expect(await page.evaluate('document.activeElement.id')).toBe('tab-raw');
    expect(await page.attribute('#tab-raw', 'aria-selected')).toBe('true');
    await page.waitFor('#raw');
    expect(await page.attribute('#panel-json', 'hidden')).toBe('');

    await page.press('ArrowLeft');
    await page.press('ArrowLeft');

    expect(await page.evaluate('document.activeElement.id')).toBe('tab-headers');
    expect(await page.attribute('#tab-headers', 'aria-selected')).toBe('true');
    await page.waitFor('#headers');
    expect(await page.attribute('#panel-raw', 'hidden')).toBe('');
  });

  it('windows thousands of events', async () => {
    const folder = tempDir();
    cleanups.push(() => folder.remove());
    const log = join(folder.path, 'capture.ndjson');
    writeFileSync(log, Array.from({ length: 3000 }, (_, index) => captureLine(index + 1)).join(''));
    const running = await listen(['--log', log]);
    const page = await openInspector(running);

    await expectCount(page, '2000 events');
    expect(await page.count('.row')).toBeLessThan(80);
    expect(await page.text('.row .id', { nth: 0 })).toBe('evt_hist_3000');

    await page.evaluate("document.getElementById('list').scrollTop = 1e9");
    await page.waitFor('.row .id', { hasText: 'evt_hist_1001' });
    expect(await page.count('.row')).toBeLessThan(80);

    await send(running, ['tournament.started']);
    await expectCount(page, '2001 events');
  });
}

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

async function expectCount(page: BrowserPage, text: string): Promise<void> {
  await expect.poll(() => page.text('#count'), { timeout: 10_000 }).toBe(text);
}

function topRowType(page: BrowserPage): Promise<string> {
  return page.text('.row .type', { nth: 0 });
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
