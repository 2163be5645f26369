import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/test-io.js';

/**
 * Every fixture in test/fixtures/invalid-scenarios is a small scenario with one kind of defect.
 * `validate` must exit 2 and print, for that defect, `file:line:col path: message` — the exact
 * line (and column where it is meaningful), the dotted path (absent for root/YAML-level problems)
 * and a plain-spoken message — and never a stack trace.
 */

const DIR = 'test/fixtures/invalid-scenarios';

interface Expected {
  file: string;
  /** Omitted only where no single line is "the" defect. */
  line?: number;
  /** Omitted where the column is not meaningful (YAML indentation errors). */
  col?: number;
  /** Exact dotted path; '' = a root-level problem printed without a path; omitted = any. */
  path?: string;
  message: RegExp;
  /** The message must not match this (e.g. library API advice leaking to the user). */
  forbid?: RegExp;
}

const expectations: Expected[] = [
  // YAML syntax
  { file: 'bad-yaml-indent', line: 4, path: '', message: /^YAML: All mapping items must start at the same column/ },
  { file: 'duplicate-key', line: 4, col: 3, path: '', message: /^YAML: Map keys must be unique/ },
  { file: 'tab-indentation', line: 3, col: 1, path: '', message: /^YAML: Tabs are not allowed as indentation/ },
  { file: 'multiple-documents', line: 40, col: 1, path: '', message: /^YAML: a scenario file holds one YAML document/, forbid: /parseAllDocuments/ },
  { file: 'undefined-alias', line: 12, col: 10, message: /hot-rooms/ },
  { file: 'alias-bomb', message: /alias/i },
  { file: 'empty-file', line: 1, col: 1, path: '', message: /^the file is empty/ },
  { file: 'not-a-mapping', line: 1, col: 1, path: '', message: /expected object, received array/ },
  { file: 'missing-env-var', line: 19, col: 35, path: 'journeys.enter-room.steps.0.headers.authorization', message: /environment variable LIVE_ASSURE_TEST_UNSET_TOKEN is not set/ },
  // Schema: unknown keys, types, units
  { file: 'unknown-top-level-key', line: 13, col: 1, path: 'jurneys', message: /^unknown key "jurneys" \(did you mean "journeys"\?\)$/ },
  { file: 'unknown-step-key', line: 19, col: 9, path: 'journeys.enter-room.steps.0.hedaers', message: /^unknown key "hedaers" \(did you mean "headers"\?\)$/ },
  { file: 'unknown-service-key', line: 26, col: 5, path: 'services.gateway.per_instance_qsp', message: /^unknown key "per_instance_qsp" \(did you mean "per_instance_qps"\?\)$/ },
  { file: 'unknown-key-in-flow-mapping', line: 12, col: 35, path: 'keys.room.hot.0.shar', message: /^unknown key "shar" \(did you mean "share"\?\)$/ },
  { file: 'missing-audience', line: 1, col: 1, path: 'audience', message: /^required \(expected object\)/ },
  { file: 'wrong-type-peak', line: 3, col: 9, path: 'audience.peak', message: /expected number, received string/ },
  { file: 'peak-not-whole', line: 3, col: 9, path: 'audience.peak', message: /expected a whole number/ },
  { file: 'bad-scenario-name', line: 1, col: 7, path: 'name', message: /scenario names use letters, digits/ },
  { file: 'negative-rate', line: 15, col: 17, path: 'journeys.enter-room.per_viewer', message: /expected a rate like .*got "-1\/min"/ },
  { file: 'bad-rate', line: 15, col: 17, path: 'journeys.enter-room.per_viewer', message: /expected a rate like "120\/s".*got "often"/ },
  { file: 'bad-duration', line: 7, col: 11, path: 'audience.curve.1.at', message: /expected a duration like "30s".*got "30 minutes"/ },
  { file: 'share-above-one', line: 8, col: 14, path: 'audience.curve.1.share', message: /must be between 0 and 1/ },
  { file: 'crlf-share-above-one', line: 8, col: 14, path: 'audience.curve.1.share', message: /must be between 0 and 1/ },
  { file: 'headroom-one', line: 33, col: 11, path: 'headroom', message: /must be below 1/ },
  { file: 'unknown-service-kind', line: 29, col: 11, path: 'services.store.kind', message: /expected one of "http"\|"redis"\|"mysql"/ },
  // Cross-reference and consistency rules
  { file: 'curve-not-increasing', line: 9, col: 11, path: 'audience.curve.2.at', message: /times must increase/ },
  { file: 'curve-not-starting-at-zero', line: 5, col: 11, path: 'audience.curve.0.at', message: /the curve must start at 0m/ },
  { file: 'hot-shares-above-one', line: 12, col: 10, path: 'keys.room.hot', message: /hot shares add up to 1\.3, more than 1/ },
  { file: 'journey-with-both-rates', line: 15, col: 5, path: 'journeys.enter-room', message: /give exactly one of per_viewer .* or rate/ },
  { file: 'two-methods-in-step', line: 17, col: 9, path: 'journeys.enter-room.steps.0', message: /give one method, not GET and POST/ },
  { file: 'step-without-method', line: 17, col: 9, path: 'journeys.enter-room.steps.0', message: /needs a method and path/ },
  { file: 'path-not-starting-with-slash', line: 18, col: 14, path: 'journeys.enter-room.steps.0.GET', message: /expected a path starting with "\/", got "room\/info/ },
  { file: 'unknown-template-key', line: 18, col: 14, path: 'journeys.enter-room.steps.0.GET', message: /"\{\{rom\}\}" is not a key of `keys`.*\(did you mean "room"\?\)/ },
  { file: 'endpoint-without-step', line: 20, col: 3, path: 'endpoints.room-infos', message: /no journey has a step named "room-infos" \(did you mean "room-info"\?\)/ },
  { file: 'unknown-service-in-call-graph', line: 22, col: 13, path: 'endpoints.room-info.calls.0.to', message: /unknown service "gatewy" \(did you mean "gateway"\?\)/ },
  { file: 'call-cycle', line: 36, col: 13, path: 'services.store.calls.0.to', message: /call cycle: gateway → store → gateway/ },
  { file: 'unknown-keyed-by', line: 32, col: 15, path: 'services.store.keyed_by', message: /unknown key "rooms" \(did you mean "room"\?\)/ },
  { file: 'redis-with-instances', line: 32, col: 5, path: 'services.store.instances', message: /a redis service takes nodes, not instances/ },
  { file: 'http-without-capacity', line: 26, col: 5, path: 'services.gateway', message: /service needs per_instance_qps/ },
  { file: 'stage-without-kind', line: 35, col: 7, path: 'load.stages.0', message: /needs one of ramp, hold, step or spike/ },
  { file: 'bad-threshold', line: 38, col: 7, path: 'load.thresholds.0', message: /got "room-info\.p99 under 200ms"/ },
  { file: 'threshold-unknown-endpoint', line: 38, col: 7, path: 'load.thresholds.0', message: /"room-inf" is neither a journey nor a step \(did you mean "room-info"\?\)/ },
  // Write isolation
  { file: 'write-without-marker', line: 17, col: 17, path: 'journeys.chat.steps.0.writes', message: /^nothing in this step is unique to a load test, so its writes cannot be found: template \{\{marker\}\}/ },
  { file: 'write-to-unknown-store', line: 14, col: 47, path: 'journeys.chat.steps.0.writes.0.store', message: /^"mian" is not one of shadow.stores/ },
];

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The stderr line reporting `expected`, or undefined. */
function findIssueLine(stderr: string, file: string, expected: Expected): string | undefined {
  const prefix = new RegExp(`^${escape(file)}:${expected.line ?? '\\d+'}:${expected.col ?? '\\d+'} `);
  return stderr.split('\n').find((line) => {
    if (!prefix.test(line)) return false;
    let rest = line.replace(prefix, '');
    if (expected.path !== undefined && expected.path !== '') {
      if (!rest.startsWith(`${expected.path}: `)) return false;
      rest = rest.slice(expected.path.length + 2);
    }
    return expected.message.test(rest) && (expected.forbid === undefined || !expected.forbid.test(rest));
  });
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/internal error/i);
  expect(stderr).not.toMatch(/This is a bug in live-assure/);
}

describe('validate: one defect per fixture', () => {
  it('has at least 24 fixtures, each with an expectation', () => {
    const onDisk = readdirSync(DIR).filter((name) => name.endsWith('.yaml')).map((name) => name.replace(/\.yaml$/, ''));
    const covered = new Set([...expectations.map((e) => e.file), 'several-defects']);
    expect(onDisk.length).toBeGreaterThanOrEqual(24);
    expect(onDisk.filter((name) => !covered.has(name))).toEqual([]);
    expect([...covered].filter((name) => !onDisk.includes(name))).toEqual([]);
  });

  it.each(expectations)('$file → line $line col $col $path', async (expected) => {
    const file = `${DIR}/${expected.file}.yaml`;
    const result = await runCli(['validate', file]);
    expectNoStackTrace(result.stderr);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    const found = findIssueLine(result.stderr, file, expected);
    expect(found, `expected ${JSON.stringify({ ...expected, message: String(expected.message) })} in:\n${result.stderr}`).toBeDefined();
    // Every stderr line is a located issue or the final summary.
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^\d+ problems? in 1 of 1 file$/);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(new RegExp(`^${escape(file)}:\\d+:\\d+ \\S`));
  });
});

describe('validate: several defects in one file', () => {
  const file = `${DIR}/several-defects.yaml`;

  it('reports every error at once, one per line, sorted by line, then a summary', async () => {
    const result = await runCli(['validate', file]);
    expectNoStackTrace(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `${file}:3:9 audience.peak: expected number, received string`,
      `${file}:8:14 audience.curve.1.share: must be between 0 and 1 (write 0.4 or 40%)`,
      `${file}:19:9 journeys.enter-room.steps.0.hedaers: unknown key "hedaers" (did you mean "headers"?)`,
      `${file}:34:11 headroom: must be below 1 (write 0.4 or 40%)`,
      '4 problems in 1 of 1 file',
    ]);
  });
});
