import { formatMs } from './judge.js';
import { PRACTICES } from './practices.js';
import type { CheckReport, CheckResult } from './types.js';

/**
 * Characters that XML 1.0 does not allow anywhere, even escaped: control
 * characters other than tab, newline and carriage return, lone surrogates,
 * U+FFFE and U+FFFF. An endpoint's response body may contain any of them.
 */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Escapes text for an XML element's content, replacing characters XML
 * cannot carry with U+FFFD. A carriage return becomes a character
 * reference, because parsers turn a literal one into a newline.
 */
export function escapeXmlText(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Escapes text for a double-quoted attribute. Tabs and line breaks become character references, so parsers keep them. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}

/**
 * Renders a report as JUnit XML: one test suite per practice and one test
 * case per check. A failed check is a `<failure type="fail">`. A warning
 * is a `<failure type="warning">` under `strict` and otherwise passes, with
 * its evidence in `<system-out>`.
 */
export function toJUnitXml(report: CheckReport, options: { strict: boolean }): string {
  const failing = (result: CheckResult): boolean =>
    result.status === 'fail' || (options.strict && result.status === 'warn');
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];

  lines.push(
    `<testsuites name="pllay-hooks check" tests="${report.results.length}" ` +
      `failures="${report.results.filter(failing).length}" errors="0" time="${seconds(report.durationMs)}">`,
  );
  for (const practice of PRACTICES) {
    const results = report.results.filter((result) => result.practice === practice.id);
    if (results.length === 0) {
      continue;
    }

    lines.push(
      `  <testsuite name="${escapeXmlAttribute(practice.title)}" tests="${results.length}" ` +
        `failures="${results.filter(failing).length}" errors="0" skipped="0" time="${seconds(sumDurations(results))}">`,
      '    <properties>',
      `      <property name="target" value="${escapeXmlAttribute(report.target)}"/>`,
      `      <property name="max_latency_ms" value="${report.maxLatencyMs}"/>`,
      '    </properties>',
      ...results.flatMap((result) => testCase(result, practice.id, failing(result))),
      '  </testsuite>',
    );
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function testCase(result: CheckResult, practiceId: string, failing: boolean): string[] {
  const lines = [
    `    <testcase classname="pllay-hooks.check.${practiceId}" name="${escapeXmlAttribute(result.title)}" ` +
      `time="${seconds(sumDurations([result]))}">`,
  ];

  if (failing) {
    const type = result.status === 'fail' ? 'fail' : 'warning';
    const body = [result.evidence, result.fix && `fix: ${result.fix}`, result.explanation].filter(Boolean).join('\n');
    lines.push(
      `      <failure type="${type}" message="${escapeXmlAttribute(result.evidence)}">${escapeXmlText(body)}</failure>`,
    );
  }
  lines.push(`      <system-out>${escapeXmlText(systemOut(result))}</system-out>`, '    </testcase>');
  return lines;
}

function systemOut(result: CheckResult): string {
  const lines = [`${result.status}: ${result.evidence}`];

  if (result.fix) {
    lines.push(`fix: ${result.fix}`);
  }
  if (result.explanation) {
    lines.push(result.explanation);
  }
  for (const exchange of result.exchanges) {
    const outcome = exchange.error ? exchange.error.message : String(exchange.status);
    const response = exchange.response ? `, response: ${exchange.response}` : '';
    lines.push(`${exchange.label}: ${outcome} in ${formatMs(exchange.durationMs)}${response}`);
  }
  return lines.join('\n');
}

function sumDurations(results: readonly CheckResult[]): number {
  return results.flatMap((result) => result.exchanges).reduce((total, exchange) => total + exchange.durationMs, 0);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
