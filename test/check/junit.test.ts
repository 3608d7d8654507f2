import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';

import { escapeXmlAttribute, escapeXmlText, toJUnitXml } from '../../src/check/junit.js';
import { runChecks } from '../../src/check/run.js';
import type { CheckReport, CheckResult } from '../../src/check/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HOSTILE = 'a <b> & "c" \'d\'\u0001\u0008\u001b\uFFFE\uD800 é 🏆\r\nend';
/** HOSTILE as a parser returns it: characters XML cannot carry are U+FFFD. */
const HOSTILE_PARSED = 'a <b> & "c" \'d\'\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD é 🏆\r\nend';

// fast-xml-parser 5 decodes numeric character references such as &#13; only with htmlEntities.
const parser = new XMLParser({
  htmlEntities: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

interface ParsedCase {
  name: string;
  classname: string;
  time: string;
  failure?: { type: string; message: string; '#text': string };
  'system-out': string;
}
interface ParsedSuite {
  name: string;
  tests: string;
  failures: string;
  testcase: ParsedCase[];
}
interface ParsedReport {
  testsuites: { tests: string; failures: string; testsuite: ParsedSuite[] };
}

function parse(xml: string): ParsedReport {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml) as ParsedReport;
}

function checkResult(overrides: Partial<CheckResult>): CheckResult {
  return {
    id: 'wrong-signature-rejected',
    practice: 'verifies-signatures',
    title: 'wrong signature is rejected',
    status: 'pass',
    evidence: 'rejected with 401 in 3 ms',
    exchanges: [{ label: 'payment.succeeded', bytes: 300, timed: false, status: 401, durationMs: 3 }],
    ...overrides,
  };
}

function reportOf(results: CheckResult[]): CheckReport {
  return {
    target: 'http://127.0.0.1:3000/webhooks/pllay?a=1&b=2',
    types: ['payment.succeeded'],
    maxLatencyMs: 2000,
    concurrency: 2,
    requests: 12,
    durationMs: 1234,
    results,
  };
}

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('XML escaping', () => {
  it('escapes markup in text', () => {
    expect(escapeXmlText('<a href="x">&</a>')).toBe('&lt;a href="x"&gt;&amp;&lt;/a&gt;');
  });

  it('escapes quotes and breaks in attributes', () => {
    expect(escapeXmlAttribute('"it\'s"\t\n\r')).toBe('&quot;it&apos;s&quot;&#9;&#10;&#13;');
  });

  it('replaces characters XML forbids', () => {
    expect(escapeXmlText('\u0000\u0001\u001f\uFFFF\uDC00 ok\t\n')).toBe('\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD ok\t\n');
  });

  it('keeps emoji surrogate pairs', () => {
    expect(escapeXmlText('🏆🎉')).toBe('🏆🎉');
  });
});

describe('toJUnitXml', () => {
  it('round-trips hostile text', () => {
    const report = reportOf([
      checkResult({ status: 'fail', title: HOSTILE, evidence: HOSTILE, fix: HOSTILE }),
    ]);

    const parsed = parse(toJUnitXml(report, { strict: false }));

    const testCase = parsed.testsuites.testsuite[0]!.testcase[0]!;
    expect(testCase.name).toBe(HOSTILE_PARSED);
    expect(testCase.failure?.message).toBe(HOSTILE_PARSED);
    expect(testCase.failure?.['#text']).toBe(`${HOSTILE_PARSED}\nfix: ${HOSTILE_PARSED}`);
  });

  it('groups checks by practice', () => {
    const report = reportOf([
      checkResult({}),
      checkResult({ id: 'duplicate-accepted', practice: 'handles-duplicates', title: 'same event twice gets 2xx twice' }),
      checkResult({ id: 'missing-signature-rejected', title: 'missing signature is rejected' }),
    ]);

    const parsed = parse(toJUnitXml(report, { strict: false }));

    const suites = parsed.testsuites.testsuite;
    expect(suites.map((suite) => suite.name)).toEqual(['Verifies signatures', 'Handles duplicate events']);
    expect(suites[0]!.testcase.map((testCase) => testCase.name)).toEqual([
      'wrong signature is rejected',
      'missing signature is rejected',
    ]);
    expect(suites[0]!.testcase[0]!.classname).toBe('pllay-hooks.check.verifies-signatures');
    expect(suites[0]!.testcase[0]!.time).toBe('0.003');
    expect(parsed.testsuites.tests).toBe('3');
  });

  it('passes warnings unless strict', () => {
    const warned = checkResult({ status: 'warn', evidence: 'accepted with 200 in 2 ms', fix: 'return 401', explanation: 'why' });
    const report = reportOf([warned, checkResult({ id: 'tampered-body-rejected', title: 'tampered body is rejected' })]);

    const lenient = parse(toJUnitXml(report, { strict: false }));
    const strict = parse(toJUnitXml(report, { strict: true }));

    expect(lenient.testsuites.failures).toBe('0');
    expect(lenient.testsuites.testsuite[0]!.testcase[0]!.failure).toBeUndefined();
    expect(lenient.testsuites.testsuite[0]!.testcase[0]!['system-out']).toContain('warn: accepted with 200 in 2 ms\nfix: return 401\nwhy');
    expect(strict.testsuites.failures).toBe('1');
    expect(strict.testsuites.testsuite[0]!.failures).toBe('1');
    expect(strict.testsuites.testsuite[0]!.testcase[0]!.failure?.type).toBe('warning');
  });

  it('escapes an endpoint response', async () => {
    const app = await startTestServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/html' }).end(`<html>${HOSTILE}</html>`);
    });
    servers.push(app);
    const report = await runChecks({
      url: new URL(`${app.url}/webhooks/pllay`),
      secret: 'whsec_test_junit',
      types: ['payment.succeeded'],
    });

    const parsed = parse(toJUnitXml(report, { strict: false }));

    const cases = parsed.testsuites.testsuite.flatMap((suite) => suite.testcase);
    const accepted = cases.find((testCase) => testCase.name === 'signed event gets a 2xx')!;
    expect(accepted.failure?.type).toBe('fail');
    expect(accepted.failure?.message).toContain('500 in');
    expect(accepted.failure?.message).toContain('<html>a <b> & "c"');
    expect(accepted['system-out']).toContain('payment.succeeded: 500 in');
    expect(Number(parsed.testsuites.failures)).toBe(report.results.filter((result) => result.status === 'fail').length);
  });
});
