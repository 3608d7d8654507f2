import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { generateEvent } from '../../src/events/generate.js';
import { fingerprint, sign } from '../../src/signature/index.js';
import { runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readNdjson, tempDir } from '../helpers/temp.js';

const SECRET = 'whsec_test_verify';
const BODY = generateEvent({ type: 'wager.created', id: 'evt_test_verify', created: 1761958815 }).body;
const SIGNATURE = sign(BODY, SECRET);

const folders: Array<{ remove(): void }> = [];
const running: RunningCli[] = [];
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  folders.splice(0).forEach((folder) => folder.remove());
});

function folder(): string {
  const created = tempDir();
  folders.push(created);
  return created.path;
}

function bodyFile(text: string): string {
  const path = join(folder(), 'body.json');
  writeFileSync(path, text);
  return path;
}

describe('verify with a payload', () => {
  it('accepts a valid signature', async () => {
    const result = await runCli(['verify', '--payload', bodyFile(BODY), '--signature', SIGNATURE, '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`✔ valid: the signature matches the body under secret ${fingerprint(SECRET)}\n`);
  });

  it('explains a re-serialised body', async () => {
    const pretty = `${JSON.stringify(JSON.parse(BODY), null, 2)}\n`;

    const result = await runCli(['verify', '--payload', bodyFile(pretty), '--signature', SIGNATURE, '--secret', SECRET]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✖ invalid: signature does not match as given');
    expect(result.stdout).toContain('Likely cause: with this change it matches');
    expect(result.stdout).toContain('the body was re-serialised after parsing');
    expect(result.stdout).toContain('fix: verify the raw request body');
  });

  it('reports findings as JSON', async () => {
    const args = ['--json', 'verify', '--payload', bodyFile(BODY), '--signature', `sha256=${SIGNATURE}`, '--secret', SECRET];

    const result = await runCli(args);

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(false);
    expect(report.explained).toBe(true);
    expect(report.findings.map((finding: { code: string }) => finding.code)).toEqual(['signature-prefix']);
    expect(report.secret_fingerprint).toBe(fingerprint(SECRET));
  });

  it('says which rotated secret matched', async () => {
    const result = await runCli(['verify', '--payload', bodyFile(BODY), '--signature', SIGNATURE, '--secret', 'whsec_next', '--secret', SECRET]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`the signature matches secret 2 of 2 (${fingerprint(SECRET)}), not the first one`);
    expect(result.stdout).not.toContain(SECRET);
  });

  it('reads the body from stdin', async () => {
    const result = await runCli(['verify', '--payload', '-', '--signature', SIGNATURE], { input: BODY, env: { PLLAY_WEBHOOK_SECRET: SECRET } });

    expect(result.code).toBe(0);
  });

  it('shows the expected value when unexplained', async () => {
    const result = await runCli(['verify', '--payload', bodyFile(BODY), '--signature', SIGNATURE, '--secret', 'whsec_other']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`expected  ${sign(BODY, 'whsec_other')}`);
    expect(result.stdout).toContain(`received  ${SIGNATURE}`);
  });

  it('names an upper-case prefix', async () => {
    const args = ['--json', 'verify', '--payload', bodyFile(BODY), '--signature', `SHA256=${SIGNATURE}`, '--signature-prefix', 'sha256=', '--secret', SECRET];

    const result = await runCli(args);

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.explained).toBe(true);
    expect(report.findings.map((finding: { code: string }) => finding.code)).toEqual(['signature-prefix-case']);
  });

  it('needs a body and a signature', async () => {
    const result = await runCli(['verify', '--signature', SIGNATURE, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: verify needs a body and a signature');
  });

  it('needs a secret', async () => {
    const result = await runCli(['verify', '--payload', bodyFile(BODY), '--signature', SIGNATURE]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: no signing secret');
  });
});

describe('verify with a capture record', () => {
  it('checks the last record of a log', async () => {
    const log = join(folder(), 'capture.ndjson');
    const listen = startCli(['listen', '--port', '0', '--log', log]);
    running.push(listen);
    const [, url] = await listen.waitForLine(/Listening on (\S+)/);
    await runCli(['send', 'kyc.started', '--to', url!, '--secret', 'whsec_first']);
    await runCli(['send', 'kyc.failed', '--to', url!, '--secret', SECRET]);
    await listen.waitForLine(/kyc\.failed/);

    const last = await runCli(['verify', '--record', log, '--secret', SECRET]);
    const first = await runCli(['verify', '--record', log, '--line', '1', '--secret', 'whsec_other', '--secret', 'whsec_first']);

    expect(last.code).toBe(0);
    expect(last.stdout).toContain('✔ valid');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`secret 2 of 2 (${fingerprint('whsec_first')})`);
  });

  it('skips the forward of an event id', async () => {
    const app = await startTestServer();
    servers.push(app);
    const log = join(folder(), 'capture.ndjson');
    const listen = startCli(['listen', '--port', '0', '--log', log, '--secret', SECRET, '--forward-to', app.url]);
    running.push(listen);
    const [, url] = await listen.waitForLine(/Listening on (\S+)/);
    await runCli(['send', 'kyc.failed', '--to', url!, '--secret', SECRET]);
    await listen.waitForLine(/kyc\.failed.*<-- 200/);
    expect(await listen.stop('SIGINT')).toBe(0);
    const records = readNdjson(log);
    expect(records.map((record) => record.kind)).toEqual(['capture', 'delivery']);

    const result = await runCli(['verify', '--record', log, '--event-id', String(records[0]!.event_id), '--secret', SECRET]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✔ valid');
  });

  it('rejects --line with --event-id', async () => {
    const log = join(folder(), 'capture.ndjson');
    writeFileSync(log, '');

    const result = await runCli(['verify', '--record', log, '--line', '1', '--event-id', 'evt_1', '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --line 1 and --event-id evt_1 both pick a record');
    expect(result.stderr).toContain('[E_VERIFY_INPUT]');
  });

  it('rejects --event-id without --record', async () => {
    const result = await runCli(['verify', '--payload', bodyFile(BODY), '--signature', SIGNATURE, '--event-id', 'evt_1', '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --event-id picks a record of a capture log, but no --record log was given');
  });

  it('rejects a line that is not there', async () => {
    const log = join(folder(), 'capture.ndjson');
    writeFileSync(log, '');

    const result = await runCli(['verify', '--record', log, '--line', '3', '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: no record on line 3 in ${log}`);
  });

  it('rejects a missing log', async () => {
    const log = join(folder(), 'nope.ndjson');

    const result = await runCli(['verify', '--record', log, '--secret', SECRET]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: cannot read --record file ${log}: file not found [E_FILE_UNREADABLE]`);
    expect(result.stderr).toContain('check the path');
    expect(result.stderr).not.toContain('ENOENT');
  });
});
