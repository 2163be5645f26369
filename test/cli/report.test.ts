import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/test-io.js';
import { writeLoadtestRun } from '../helpers/run-dirs.js';

const FIXTURES = 'test/fixtures/runs';
const work = mkdtempSync(join(tmpdir(), 'la-report-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('live-assure report', () => {
  it('writes every format asked for and prints the verdict and summary', async () => {
    const out = join(work, 'all');
    const { code, stdout, stderr } = await runCli(['report', FIXTURES, '--format', 'html,md,json,junit', '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^PASS — 1 load test passed, 1 rehearsal passed, 2 alerts fired \(1 with no SOP\); 4 action items$/);
    expect(stdout).toMatch(/report: 3 run directories → .*report\.html, .*report\.md, .*report\.json, .*report\.junit\.xml/);
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    expect(markdown.split('\n')[0]).toBe('# 3 runs — 2026-12-07 20:10 to 2026-12-07 20:11 UTC');
    expect(markdown).toMatch(/\| DiskFull \| 2026-12-07 20:10:40 UTC \| still firing \| ❌ NO SOP \|/);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { loads: unknown[]; rehearsals: unknown[]; watches: unknown[] };
    expect([json.loads.length, json.rehearsals.length, json.watches.length]).toEqual([1, 1, 1]);
    const junit = readFileSync(join(out, 'report.junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="live-assure report" tests="\d+" failures="3"/);
    expect(junit).toMatch(/<testcase classname="coverage.alerts" name="DiskFull has an SOP"[^>]*>\s*<failure/);
    expect(junit).toMatch(/<testsuite name="room-info-storage-latency" tests="12" failures="0"/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import|url\(/);
  });

  it('--json prints the model alone on stdout and writes nothing without --out', async () => {
    const cwd = join(work, 'json-cwd');
    mkdirSync(cwd);
    const { code, stdout } = await runCli(['report', join(process.cwd(), FIXTURES), '--json'], { cwd });
    expect(code).toBe(0);
    const model = JSON.parse(stdout) as { verdict: { pass: boolean }; appendix: Array<{ files: unknown[] }> };
    expect(model.verdict.pass).toBe(true);
    expect(model.appendix).toHaveLength(3);
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });

  it('exits 1 when a run in it failed, so CI can gate on the report', async () => {
    const run = join(work, 'failed-run');
    writeLoadtestRun(run, { name: 'night', hash: 'h', startedAt: '2026-12-31T15:00:00.000Z', traffic: [{ endpoint: 'gift-send', seconds: 3, perSecond: 20, ms: 300 }], thresholds: [{ expr: 'gift-send.p99<200ms', value: 300, pass: false }], verdict: 'fail' });
    const { code, stdout } = await runCli(['report', run, '--format', 'md', '--out', join(work, 'failed')]);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe('FAIL — load test night: 1 threshold failed; 1 action item');
    expect(readFileSync(join(work, 'failed', 'report.md'), 'utf8')).toMatch(/threshold gift-send\.p99&lt;200ms failed \(measured 300ms\)/);
  });

  it('never lets run data become markup, in HTML or in Markdown', async () => {
    const run = join(work, 'hostile');
    const evil = '<img src=//evil.example/x onerror=alert(1)>';
    writeLoadtestRun(run, { name: `</details><script>alert(1)</script>`, hash: 'h', startedAt: '2026-12-31T15:00:00.000Z', traffic: [{ endpoint: evil, seconds: 2, perSecond: 5, ms: 2 }] });
    const out = join(work, 'hostile-out');
    expect((await runCli(['report', run, '--format', 'html,md', '--out', out])).code).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    for (const text of [html, markdown]) {
      expect(text).not.toContain('<img');
      expect(text).not.toContain('<script');
      expect(text).toContain('&lt;img src=//evil.example/x onerror=alert(1)&gt;');
    }
  });

  it('sets a probe\'s knee against what the forecast assumes one instance serves', async () => {
    // One instance that serves ~100 requests a second at concurrency 1 (10 ms each), far below room-svc's assumed 1,500.
    const server = createServer((_request, response) => void setTimeout(() => response.end('ok'), 10));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
    try {
      const run = join(work, 'probe-run');
      const probe = await runCli(['probe', '--url', url, '--concurrency', '1,2', '--step-duration', '1s', '--service', 'room-svc', '--out', run]);
      expect(probe.code, probe.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'))).toMatchObject({ kind: 'probe', status: 'finished' });
      const out = join(work, 'probe-report');
      const { code } = await runCli(['report', run, '--scenario', 'scenarios/demo.yaml', '--format', 'md,junit', '--out', out]);
      expect(code).toBe(0);
      const markdown = readFileSync(join(out, 'report.md'), 'utf8');
      expect(markdown).toMatch(/\| GET http:\/\/127\.0\.0\.1:\d+\/ \| room-svc \| \d+(\.\d)?\/s at concurrency 2 \| \d+ \| 1500 ❌ \|/);
      expect(markdown).toMatch(/room-svc: the forecast assumes 1500 QPS per instance, but its probe's knee is \d+ QPS: set per_instance_qps to \d+ and plan again/);
      expect(readFileSync(join(out, 'report.junit.xml'), 'utf8')).toMatch(/<testcase classname="capacity.probe" name="room-svc: knee ≥ per_instance_qps 1500"[^>]*>\s*<failure/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each([
    [['report', FIXTURES, '--format', 'pdf'], /^live-assure: --format: unknown format "pdf": choose from html, md, json, junit/],
    [['report', 'no/such/dir'], /^live-assure: report: no\/such\/dir: no such directory/],
    [['report', 'sops'], /^live-assure: report: sops holds no run directory/],
    [['report', FIXTURES, '--max-age', 'soon'], /^live-assure: --max-age: expected an age like 30d/],
  ])('refuses %j with one line and exit 2', async (argv, message) => {
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('locates a manifest that is not a run manifest', async () => {
    const run = join(work, 'bad-manifest');
    mkdirSync(run);
    writeFileSync(join(run, 'manifest.json'), JSON.stringify({ kind: 'benchmark' }));
    const { code, stderr } = await runCli(['report', run]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/manifest\.json:1:1 kind: Invalid option: expected one of "loadtest"\|"rehearsal"\|"watch"/);
  });
});
