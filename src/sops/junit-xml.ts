/**
 * JUnit XML as CI systems read it (the de facto `testsuites/testsuite/testcase` schema): one
 * testsuite per SOP, one testcase per check. `failure` means the platform did not behave (a
 * hypothesis missed, detection late); `error` means a step or the tool could not run; `skipped`
 * means not reached (dry run, or after an abort).
 */

export type CaseOutcome =
  | { kind: 'passed' }
  | { kind: 'failure'; message: string; detail?: string }
  | { kind: 'error'; message: string; detail?: string }
  | { kind: 'skipped'; message: string };

export interface JunitCase {
  /** `<sop>.<phase>`, e.g. `room-info-storage-latency.verification.degraded`. */
  classname: string;
  name: string;
  seconds: number;
  outcome: CaseOutcome;
  /** Step output, already redacted; cut to a bounded size here. */
  output?: string;
}

export interface JunitSuite {
  name: string;
  /** ISO time the rehearsal started. */
  timestamp: string;
  seconds: number;
  /** TTD/TTM/TTR in ms, the seed, the SOP's hash… */
  properties: Record<string, string | number>;
  cases: JunitCase[];
}

/** Step output kept per testcase: enough to see what went wrong, small enough for any CI to show. */
const OUTPUT_CHARS = 8192;

// XML 1.0 cannot carry most control characters even escaped; a step's output may hold any byte.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, (character) => `\\x${(character.codePointAt(0) ?? 0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const seconds = (value: number): string => (Math.round(value * 1000) / 1000).toFixed(3);

function caseXml(testcase: JunitCase): string {
  const open = `    <testcase classname="${escapeXml(testcase.classname)}" name="${escapeXml(testcase.name)}" time="${seconds(testcase.seconds)}"`;
  const inner: string[] = [];
  const { outcome } = testcase;
  if (outcome.kind === 'skipped') inner.push(`      <skipped message="${escapeXml(outcome.message)}"/>`);
  if (outcome.kind === 'failure' || outcome.kind === 'error') {
    inner.push(`      <${outcome.kind} message="${escapeXml(outcome.message)}">${escapeXml(outcome.detail ?? outcome.message)}</${outcome.kind}>`);
  }
  if (testcase.output !== undefined && testcase.output !== '') {
    const output = testcase.output.length > OUTPUT_CHARS ? `${testcase.output.slice(0, OUTPUT_CHARS)}\n… (${testcase.output.length - OUTPUT_CHARS} more characters)` : testcase.output;
    inner.push(`      <system-out>${escapeXml(output)}</system-out>`);
  }
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`;
}

function count(cases: readonly JunitCase[], kind: CaseOutcome['kind']): number {
  return cases.filter((testcase) => testcase.outcome.kind === kind).length;
}

function suiteXml(suite: JunitSuite): string {
  const totals = `tests="${suite.cases.length}" failures="${count(suite.cases, 'failure')}" errors="${count(suite.cases, 'error')}" skipped="${count(suite.cases, 'skipped')}"`;
  const properties = Object.entries(suite.properties).map(([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(String(value))}"/>`);
  return [
    `  <testsuite name="${escapeXml(suite.name)}" ${totals} time="${seconds(suite.seconds)}" timestamp="${escapeXml(suite.timestamp)}">`,
    ...(properties.length === 0 ? [] : ['    <properties>', ...properties, '    </properties>']),
    ...suite.cases.map(caseXml),
    '  </testsuite>',
  ].join('\n');
}

/** The whole report, one testsuite per SOP rehearsed (or per run, for `report`). */
export function junitXml(suites: readonly JunitSuite[], name = 'live-assure rehearse'): string {
  const cases = suites.flatMap((suite) => suite.cases);
  const totals = `tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'skipped')}"`;
  const time = seconds(suites.reduce((sum, suite) => sum + suite.seconds, 0));
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${escapeXml(name)}" ${totals} time="${time}">`, ...suites.map(suiteXml), '</testsuites>', ''].join('\n');
}
