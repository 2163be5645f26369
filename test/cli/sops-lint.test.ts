import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/test-io.js';

/**
 * `live-assure sops lint` in-process: the fixture rule files against the demo SOPs in sops/, and
 * rehearsal histories written here by hand (manifest.json + journal.json, the fields rehearse writes).
 */

const dir = mkdtempSync(join(tmpdir(), 'la-sops-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const ago = (days: number): string => new Date(Date.now() - days * DAY).toISOString();

function rehearsal(runs: string, name: string, sop: string, status: string, endedAt: string): void {
  const run = join(runs, name);
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ kind: 'rehearsal', status: 'finished', started_at: endedAt }));
  writeFileSync(join(run, 'journal.json'), JSON.stringify({ sop: { id: sop, title: sop }, status, started_at: endedAt, ended_at: endedAt }));
}

/** Every demo SOP rehearsed green recently, one of them in a multi-SOP rehearsal's subdirectory. */
function freshRuns(): string {
  const runs = join(dir, `fresh-${Math.random().toString(36).slice(2)}`);
  rehearsal(runs, '20261101T000000Z-rehearse-room-info-storage-latency', 'room-info-storage-latency', 'passed', ago(2));
  rehearsal(runs, '20261101T000000Z-rehearse/gift-service-errors', 'gift-service-errors', 'passed', ago(3));
  rehearsal(runs, '20261101T000000Z-rehearse/danmaku-flood', 'danmaku-flood', 'passed', ago(4));
  return runs;
}

const lint = (...args: string[]) => runCli(['sops', 'lint', '--sops', 'sops', ...args]);

describe('sops lint', () => {
  it('is clean (exit 0) when every rule has its SOP, every SOP its rule, every rehearsal is fresh', async () => {
    const runs = freshRuns();
    // A loadtest run and a broken rehearsal beside them: passed over, and the broken one noted.
    mkdirSync(join(runs, 'loadtest-1'));
    writeFileSync(join(runs, 'loadtest-1', 'manifest.json'), JSON.stringify({ kind: 'loadtest' }));
    mkdirSync(join(runs, 'killed'));
    writeFileSync(join(runs, 'killed', 'manifest.json'), JSON.stringify({ kind: 'rehearsal', status: 'running' }));
    const result = await lint('--rules', 'test/fixtures/rules/demo.yaml', '--runs', runs);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('notes\n  ');
    expect(result.stdout).toMatch(/killed: skipped: no journal\.json/);
    expect(result.stdout).toMatch(/sops lint: ok: nothing found \(1 rule file: 3 alert rules, 1 recording rule; 3 SOPs; 3 rehearsals under .*\)\n$/);
  });

  it('lists each finding on one line, grouped, then the count (exit 1)', async () => {
    const result = await lint('--rules', 'test/fixtures/rules/findings.yaml', '--runs', freshRuns());
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      'alert rules → SOPs',
      '  error   test/fixtures/rules/findings.yaml:10:24 alert RoomInfoLatencyHigh: runbook_url points at SOP "room-info-storge-latency", and no SOP has that id (did you mean "room-info-storage-latency"?)',
      'SOPs → alert rules',
      expect.stringMatching(/^ {2}warning sops\/danmaku-flood\.yaml:15:17 SOP danmaku-flood links\.alerts\.0 \{alertname="DanmakuSendLatencyHigh", service="danmaku-svc"\} may match DanmakuSendLatencyHigh \(test\/fixtures\/rules\/findings\.yaml:16\): "service" is not set statically/),
      '  error   sops/gift-service-errors.yaml:14:17 SOP gift-service-errors links.alerts.0 {alertname="GiftSendErrorRateHigh", service="gift-svc"} matches no alert rule (did you mean "GiftSendErrorRatHigh"?)',
      'alerts without SOP',
      "  error   test/fixtures/rules/findings.yaml:21:9 alert DiskFull (group node) has no SOP: no runbook_url, and no SOP's links.alerts matches it",
      expect.stringMatching(/^sops lint: 3 errors, 1 warning \(1 rule file: 4 alert rules, 0 recording rules; 3 SOPs; 3 rehearsals under /),
      '',
    ]);
  });

  it('lists SOPs whose last green rehearsal is older than --max-age, or that were never rehearsed green', async () => {
    const runs = join(dir, 'old');
    rehearsal(runs, 'a', 'room-info-storage-latency', 'passed', ago(40));
    rehearsal(runs, 'b', 'gift-service-errors', 'failed', ago(1));
    rehearsal(runs, 'c', 'gift-service-errors', 'passed', ago(10));
    rehearsal(runs, 'd', 'danmaku-flood', 'failed', ago(1));
    const result = await lint('--rules', 'test/fixtures/rules/demo.yaml', '--runs', runs);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('rehearsal freshness (max age 30d)');
    expect(lines.slice(1, 3)).toEqual([
      expect.stringMatching(/^ {2}error {3}sops\/danmaku-flood\.yaml:\d+:\d+ SOP danmaku-flood: never rehearsed green \(last run failed at .*, .*old\/d\)$/),
      expect.stringMatching(/^ {2}error {3}sops\/room-info-storage-latency\.yaml:5:5 SOP room-info-storage-latency: last green rehearsal .* \(40d ago, .*old\/a\) is older than 30d$/),
    ]);
    expect(result.stdout).not.toContain('SOP gift-service-errors');
    // A longer age makes the old one fresh; a shorter one makes the 10-day one stale.
    expect((await lint('--rules', 'test/fixtures/rules/demo.yaml', '--runs', runs, '--max-age', '45d')).stdout).not.toContain('room-info-storage-latency: last green');
    expect((await lint('--rules', 'test/fixtures/rules/demo.yaml', '--runs', runs, '--max-age', '7d')).stdout).toContain('SOP gift-service-errors: last green rehearsal');
  });

  it('counts every SOP as never rehearsed when the runs folder does not exist, and says why', async () => {
    const result = await lint('--rules', 'test/fixtures/rules/demo.yaml', '--runs', join(dir, 'nowhere'));
    expect(result.code).toBe(1);
    expect(result.stdout.match(/: never rehearsed$/gm)).toHaveLength(3);
    expect(result.stdout).toMatch(/nowhere: no such directory: no rehearsal was found/);
  });

  it('prints the findings as JSON with --json', async () => {
    const result = await lint('--rules', 'test/fixtures/rules/findings.yaml', '--runs', freshRuns(), '--json');
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as { findings: Array<{ level: string; kind: string; file: string; line: number }>; counts: unknown; checked: unknown; exit_code: number };
    expect(json.findings.map((finding) => finding.kind)).toEqual(['runbook-missing-sop', 'alert-without-sop', 'matchers-undecided', 'matchers-match-no-rule']);
    expect(json.findings[0]).toMatchObject({ level: 'error', file: 'test/fixtures/rules/findings.yaml', line: 10, alert: 'RoomInfoLatencyHigh' });
    expect(json).toMatchObject({ counts: { errors: 3, warnings: 1 }, checked: { rule_files: 1, alert_rules: 4, sops: 3, rehearsals: 3 }, exit_code: 1 });
  });

  it('refuses a broken rule file with file:line:col path: message (exit 2), checking nothing', async () => {
    const result = await lint('--rules', 'test/fixtures/rules/demo.yaml', 'test/fixtures/rules/broken.yaml');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('test/fixtures/rules/broken.yaml:6:14 groups.0.rules.0.for: expected a Prometheus duration like "5m" or "1h30m"');
    expect(result.stderr).toContain('test/fixtures/rules/broken.yaml:7:9 groups.0.rules.0.anotations: unknown key "anotations" (did you mean "annotations"?)');
  });

  it('refuses a missing rule file, a bad --max-age and a missing SOP folder (exit 2)', async () => {
    expect(await lint('--rules', 'test/fixtures/rules/nope.yaml')).toMatchObject({ code: 2, stderr: expect.stringContaining('test/fixtures/rules/nope.yaml:1:1 cannot read the rule file: no such file') });
    expect(await lint('--rules', 'test/fixtures/rules/demo.yaml', '--max-age', 'a month')).toMatchObject({ code: 2, stderr: expect.stringContaining('--max-age: expected an age like 30d') });
    expect(await runCli(['sops', 'lint', '--rules', 'test/fixtures/rules/demo.yaml', '--sops', join(dir, 'no-sops')])).toMatchObject({ code: 2, stderr: expect.stringContaining('--sops') });
  });
});
