import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/test-io.js';

/** `validate` over several files at once: each file reported, exit 2 if any is invalid; `--json`. */

const DIR = 'test/fixtures/invalid-scenarios';
const bad = (name: string): string => `${DIR}/${name}.yaml`;

interface JsonIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}
interface JsonResult {
  valid: boolean;
  files: Array<{ file: string; valid: boolean; issues: JsonIssue[] }>;
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/internal error/i);
}

describe('validate: several files', () => {
  it('accepts the shipped scenarios with an ok line each and exit 0', async () => {
    const result = await runCli(['validate', 'scenarios/demo.yaml', 'scenarios/s-final.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual(['ok  scenarios/demo.yaml', 'ok  scenarios/s-final.yaml']);
  });

  it('reports each file — valid, invalid, missing — and exits 2', async () => {
    const files = ['scenarios/demo.yaml', bad('share-above-one'), bad('unknown-top-level-key'), bad('call-cycle'), `${DIR}/no-such-file.yaml`];
    const result = await runCli(['validate', ...files]);
    expectNoStackTrace(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('ok  scenarios/demo.yaml\n');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      `${bad('share-above-one')}:8:14 audience.curve.1.share: must be between 0 and 1 (write 0.4 or 40%)`,
      `${bad('unknown-top-level-key')}:1:1 journeys: required (expected a mapping)`,
      `${bad('unknown-top-level-key')}:13:1 jurneys: unknown key "jurneys" (did you mean "journeys"?)`,
      `${bad('call-cycle')}:36:13 services.store.calls.0.to: call cycle: gateway → store → gateway`,
      `${DIR}/no-such-file.yaml:1:1 cannot read the scenario or SOP: no such file`,
      '5 problems in 4 of 5 files',
    ]);
  });

  it('reports a directory given as a file as a located error, not a crash', async () => {
    const result = await runCli(['validate', DIR]);
    expectNoStackTrace(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${DIR}:1:1 cannot read the scenario or SOP: .*directory`, 'm'));
  });

  it('keeps going after a file that fails to parse', async () => {
    const result = await runCli(['validate', bad('duplicate-key'), 'scenarios/s-final.yaml', bad('tab-indentation')]);
    expectNoStackTrace(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('ok  scenarios/s-final.yaml\n');
    expect(result.stderr).toMatch(new RegExp(`^${bad('duplicate-key')}:4:3 YAML: `, 'm'));
    expect(result.stderr).toMatch(new RegExp(`^${bad('tab-indentation')}:3:1 YAML: `, 'm'));
    expect(result.stderr).toMatch(/^\d+ problems in 2 of 3 files$/m);
  });

  it('exits 0 with no stderr when every file is valid, even given twice', async () => {
    const result = await runCli(['validate', 'scenarios/demo.yaml', 'scenarios/demo.yaml']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('ok  scenarios/demo.yaml\nok  scenarios/demo.yaml\n');
  });
});

describe('validate --json', () => {
  it('prints parseable JSON listing every issue with file, line, col, path and message', async () => {
    const files = ['scenarios/demo.yaml', bad('several-defects'), bad('missing-env-var')];
    const result = await runCli(['validate', '--json', ...files]);
    expectNoStackTrace(result.stderr);
    expect(result.code).toBe(2);
    const parsed = JSON.parse(result.stdout) as JsonResult;
    expect(parsed.valid).toBe(false);
    expect(parsed.files.map((entry) => [entry.file, entry.valid])).toEqual([
      ['scenarios/demo.yaml', true],
      [bad('several-defects'), false],
      [bad('missing-env-var'), false],
    ]);
    expect(parsed.files[0]?.issues).toEqual([]);
    const several = parsed.files[1]?.issues ?? [];
    expect(several.map((issue) => [issue.line, issue.col, issue.path])).toEqual([
      [3, 9, 'audience.peak'],
      [8, 14, 'audience.curve.1.share'],
      [19, 9, 'journeys.enter-room.steps.0.hedaers'],
      [34, 11, 'headroom'],
    ]);
    for (const issue of [...several, ...(parsed.files[2]?.issues ?? [])]) {
      expect(Object.keys(issue).sort()).toEqual(['col', 'file', 'line', 'message', 'path']);
      expect(typeof issue.message).toBe('string');
      expect(issue.message.length).toBeGreaterThan(0);
    }
    expect(several[2]?.message).toBe('unknown key "hedaers" (did you mean "headers"?)');
    expect(parsed.files[2]?.issues[0]).toMatchObject({ file: bad('missing-env-var'), line: 19, col: 35 });
  });

  it('prints valid: true and exits 0 for valid files', async () => {
    const result = await runCli(['validate', '--json', 'scenarios/demo.yaml', 'scenarios/s-final.yaml']);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as JsonResult;
    expect(parsed).toEqual({
      valid: true,
      files: [
        { file: 'scenarios/demo.yaml', valid: true, issues: [] },
        { file: 'scenarios/s-final.yaml', valid: true, issues: [] },
      ],
    });
  });

  it('substitutes ${env:NAME} when the variable is set', async () => {
    const result = await runCli(['validate', bad('missing-env-var')], { env: { LIVE_ASSURE_TEST_UNSET_TOKEN: 'secret' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
