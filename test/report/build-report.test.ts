import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { loadScenarioFile } from '../../src/scenarios/load-scenario.js';
import { buildReport, type ReportInput } from '../../src/report/build-report.js';
import { findRunDirectories, readRunDirectory } from '../../src/report/run-directory.js';
import { writeLoadtestRun } from '../helpers/run-dirs.js';

const FIXTURES = 'test/fixtures/runs';
const LOADTEST = `${FIXTURES}/2026-12-07T20-10-12Z-demo`;
const NOW = Date.parse('2026-12-08T09:00:00Z');
const DAY = 86_400_000;
const work = mkdtempSync(join(tmpdir(), 'la-report-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readAll(paths: string[]) {
  return findRunDirectories(paths, process.cwd()).map(({ path, shown }) => readRunDirectory(path, shown));
}

function report(paths: string[], extra: Partial<ReportInput> = {}) {
  return buildReport({ runs: readAll(paths), scenarios: new Map(), sops: [], nowMs: NOW, maxAgeMs: 30 * DAY, tool: { name: 'live-assure', version: 'test' }, notes: [], ...extra });
}

describe('the report model from recorded runs (a demo load test, a rehearsal, a watch session)', () => {
  it('recomputes the load test from its intervals as the engine summarised it', async () => {
    const model = await report([LOADTEST]);
    const summary = JSON.parse(readFileSync(join(LOADTEST, 'summary.json'), 'utf8')) as { requests: number; latency_ms: { p99: number; max: number }; endpoints: Record<string, { latency_ms: { p99: number } }> };
    const [load] = model.loads;
    expect(load?.totals.requests).toBe(summary.requests);
    expect(load?.totals.latency_ms?.p99).toBe(summary.latency_ms.p99);
    expect(load?.totals.latency_ms?.max).toBe(summary.latency_ms.max);
    expect(load?.endpoints.find((row) => row.name === 'room-info')?.latency_ms?.p99).toBe(summary.endpoints['room-info']?.latency_ms.p99);
    expect(load?.endpoints.map((row) => row.name).slice(0, 3)).toEqual(['room-info', 'room-enter', 'danmaku-recent']);
    expect(load?.series.rate.length).toBe(load?.duration_s);
    expect(load?.isolation).toMatchObject({ ok: true, sentinel_ok: true, preflight: '3 write steps proven isolated, fails closed' });
    expect(model.verdict).toMatchObject({ pass: true });
  });

  it('compares the forecast with what the load test stood for, through the call graph', async () => {
    const scenario = await loadScenarioFile('scenarios/demo.yaml', { cwd: process.cwd(), env: {} });
    const model = await report([LOADTEST], { scenarios: new Map([[LOADTEST, scenario]]) });
    const [capacity] = model.capacity;
    expect(capacity?.scale).toBeCloseTo(0.1, 9);
    const roomInfo = capacity?.endpoints.find((row) => row.endpoint === 'room-info');
    // The measured 5-second peak ÷ scale, against the forecast peak of 83.3/s.
    expect(roomInfo?.forecast_qps).toBeCloseTo(83.333, 2);
    expect(roomInfo?.equivalent_qps).toBeCloseTo((roomInfo?.measured_peak_qps ?? 0) / 0.1, 6);
    expect(capacity?.services.map((row) => row.service)).toContain('room-svc');
    expect(capacity?.validated_level).toBe(Math.min(...(capacity?.endpoints ?? []).map((row) => row.reached)));
  });

  it('charts a rehearsal with its fault band, windows and milestones, and its checks and timings', async () => {
    const model = await report([`${FIXTURES}/2026-12-07T20-10-12Z-rehearse-room-info-storage-latency`]);
    const [rehearsal] = model.rehearsals;
    expect(rehearsal?.status).toBe('passed');
    expect(rehearsal?.timings['ttd_ms']).toBe(977);
    expect(rehearsal?.milestones.map((m) => m.name)).toEqual(['injected', 'impact', 'detected', 'mitigationStarted', 'mitigated', 'faultRemoved', 'recovered']);
    const bands = rehearsal?.load?.bands ?? [];
    expect(bands.map((band) => band.kind).sort()).toEqual(['baseline', 'degraded', 'fault', 'recovered']);
    const fault = bands.find((band) => band.kind === 'fault');
    // Injected at 12.2s of the rehearsal, removed at 31.2s; the load started a moment after the rehearsal.
    expect(fault?.from_s).toBeGreaterThan(11);
    expect((fault?.to_s ?? 0) - (fault?.from_s ?? 0)).toBeCloseTo(19.006, 2);
    expect(rehearsal?.load?.annotations.some((a) => a.kind === 'milestone' && a.label === 'detected')).toBe(true);
    expect(rehearsal?.checks.filter((check) => check.result === 'passed')).toHaveLength(12);
  });

  it('links each alert to its SOP, sees the rehearsal that ran while it fired, and lists the gaps as action items', async () => {
    const model = await report([FIXTURES], { sops: [{ id: 'gift-service-errors', title: 'Gift' }] });
    const room = model.coverage.alerts.find((alert) => alert.alertname === 'RoomInfoLatencyHigh');
    expect(room).toMatchObject({ sop: 'room-info-storage-latency', by: 'matchers', rehearsal: 'fresh', resolved_at: '2026-12-07T20:10:45.000Z' });
    expect(room?.executed?.dir).toContain('rehearse-room-info-storage-latency');
    expect(model.coverage.unlinked).toEqual(['DiskFull']);
    expect(model.coverage.sops.map((sop) => [sop.id, sop.state])).toEqual([['gift-service-errors', 'never'], ['room-info-storage-latency', 'fresh']]);
    expect(model.actions.map((item) => item.type)).toEqual(['sop', 'rehearse']);
    expect(model.actions[0]?.text).toMatch(/alert DiskFull fired with no SOP/);
    // A load test alert lands on the chart of the rehearsal it fired during.
    expect(model.rehearsals[0]?.load?.annotations.some((a) => a.kind === 'alert' && a.label === 'RoomInfoLatencyHigh firing')).toBe(true);
  });

  it('calls a green rehearsal stale once it is older than the bound', async () => {
    const model = await report([FIXTURES], { nowMs: Date.parse('2027-02-01T00:00:00Z') });
    expect(model.coverage.sops.find((sop) => sop.id === 'room-info-storage-latency')?.state).toBe('stale');
    expect(model.actions.some((item) => item.type === 'rehearse' && /room-info-storage-latency was last rehearsed green/.test(item.text))).toBe(true);
  });
});

describe('several load agents of one scenario', () => {
  it('merge into one load: counts add up on the wall clock and thresholds are judged over the merged histograms', async () => {
    const dir = join(work, 'agents');
    // Agent a is fast; agent b, a second later, is slow: each alone passes p99<50ms only if fast.
    writeLoadtestRun(join(dir, 'a'), { name: 'final', hash: 'sha256:same', startedAt: '2026-12-31T15:00:00.000Z', traffic: [{ endpoint: 'room-info', seconds: 10, perSecond: 100, ms: 5 }], thresholds: [{ expr: 'room-info.p99<50ms', value: 5, pass: true }] });
    writeLoadtestRun(join(dir, 'b'), { name: 'final', hash: 'sha256:same', startedAt: '2026-12-31T15:00:01.000Z', traffic: [{ endpoint: 'room-info', seconds: 10, perSecond: 100, ms: (s) => (s < 5 ? 5 : 200), failing: 2 }], thresholds: [{ expr: 'room-info.p99<50ms', value: 49, pass: true }] });
    writeLoadtestRun(join(dir, 'other'), { name: 'other', hash: 'sha256:different', startedAt: '2026-12-31T15:00:00.000Z', traffic: [{ endpoint: 'x', seconds: 2, perSecond: 10, ms: 1 }] });
    const model = await report([dir]);
    expect(model.loads).toHaveLength(2);
    const merged = model.loads.find((load) => load.runs.length === 2);
    expect(merged?.totals.requests).toBe(2000);
    expect(merged?.totals.errors).toBe(20);
    expect(merged?.duration_s).toBe(11);
    // Seconds 1–9 carry both agents: 200 requests each.
    expect(merged?.series.rate[5]).toBe(200);
    expect(merged?.series.rate[0]).toBe(100);
    // A quarter of the merged requests took ~200ms: p99 over both is far past 50ms, though both agents "passed".
    expect(merged?.thresholds).toEqual([{ expr: 'room-info.p99<50ms', value: expect.any(Number), pass: false }]);
    expect(merged?.thresholds[0]?.value).toBeGreaterThan(150);
    expect(model.verdict.pass).toBe(false);
    expect(model.verdict.line).toMatch(/^FAIL — load test final: 1 threshold failed/);
  });
});

describe('run directories that are not whole', () => {
  it('keeps what a killed run wrote: a cut-off last line is noted, not fatal', async () => {
    const dir = join(work, 'killed');
    writeLoadtestRun(dir, { name: 'killed', hash: 'h', startedAt: '2026-12-31T15:00:00.000Z', traffic: [{ endpoint: 'e', seconds: 3, perSecond: 10, ms: 2 }] });
    const intervals = readFileSync(join(dir, 'intervals.ndjson'), 'utf8');
    writeFileSync(join(dir, 'intervals.ndjson'), `${intervals}{"second":3,"endpoint":"e","cou`);
    rmSync(join(dir, 'summary.json'));
    const model = await report([dir]);
    expect(model.loads[0]?.totals.requests).toBe(30);
    expect(model.loads[0]?.verdict).toBe('unknown');
    expect(model.notes.join('\n')).toMatch(/intervals\.ndjson: the last line was cut off/);
    expect(model.notes.join('\n')).toMatch(/no summary\.json/);
  });

  it('refuses a broken line in the middle with its file and line', async () => {
    const dir = join(work, 'broken');
    writeLoadtestRun(dir, { name: 'broken', hash: 'h', startedAt: '2026-12-31T15:00:00.000Z', traffic: [{ endpoint: 'e', seconds: 3, perSecond: 10, ms: 2 }] });
    const lines = readFileSync(join(dir, 'intervals.ndjson'), 'utf8').split('\n');
    lines[1] = '{"second": "two"}';
    writeFileSync(join(dir, 'intervals.ndjson'), lines.join('\n'));
    let caught: unknown;
    try {
      readAll([dir]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect(caught instanceof InvalidInputError ? caught.issues[0] : undefined).toMatchObject({ line: 2, message: expect.stringMatching(/^not an interval/) });
  });
});

describe('what a report must not get wrong', () => {
  it('keeps a re-run of the same scenario apart from the first: agents start together, re-runs after', async () => {
    const dir = join(work, 'reruns');
    writeLoadtestRun(join(dir, 'first'), { name: 'demo', hash: 'sha256:same', startedAt: '2026-12-31T15:00:00.000Z', traffic: [{ endpoint: 'e', seconds: 20, perSecond: 10, ms: 2 }] });
    writeLoadtestRun(join(dir, 'again'), { name: 'demo', hash: 'sha256:same', startedAt: '2026-12-31T15:00:30.000Z', traffic: [{ endpoint: 'e', seconds: 20, perSecond: 10, ms: 2 }] });
    expect((await report([dir])).loads.map((load) => load.runs.length)).toEqual([1, 1]);
  });

  it('judges a killed run\'s thresholds from its intervals and says it did not finish', async () => {
    const dir = join(work, 'killed-thresholds');
    writeLoadtestRun(dir, { name: 'night', hash: 'h', startedAt: '2026-12-31T15:00:00.000Z', plan: { name: 'night', target: 'http://t', journeyEndpoints: {}, thresholds: [{ text: 'e.p99<100ms' }] }, traffic: [{ endpoint: 'e', seconds: 4, perSecond: 10, ms: 300 }] });
    rmSync(join(dir, 'summary.json'));
    const model = await report([dir]);
    expect(model.loads[0]?.thresholds).toEqual([{ expr: 'e.p99<100ms', value: expect.any(Number), pass: false }]);
    expect(model.loads[0]?.thresholds[0]?.value).toBeGreaterThan(250);
    expect(model.verdict.line).toMatch(/^FAIL — load test night never finished/);
    expect(model.actions.map((item) => item.text).join('\n')).toMatch(/the run did not finish/);
    expect(model.window.to).toBe('2026-12-31T15:00:04.000Z');
  });

  it('does not call isolation proven when the audit and cleanup never ran', async () => {
    const dir = join(work, 'no-audit');
    writeLoadtestRun(dir, { name: 'demo', hash: 'h', startedAt: '2026-12-31T15:00:00.000Z', traffic: [{ endpoint: 'e', seconds: 2, perSecond: 10, ms: 2 }] });
    appendFileSync(join(dir, 'events.ndjson'), `${JSON.stringify({ type: 'isolation', check: 'preflight', ok: true, message: '1 write step proven isolated', at: '2026-12-31T14:59:59.000Z' })}\n`);
    const model = await report([dir]);
    expect(model.loads[0]?.isolation).toMatchObject({ ok: false, audit: 'not run', cleanup: 'not run' });
    expect(model.verdict.line).toMatch(/write isolation not proven/);
  });

  it('names a rehearsal killed before its journal by the SOP its manifest holds', async () => {
    const dir = join(work, 'killed-rehearsal');
    mkdirSync(dir);
    const manifest = JSON.parse(readFileSync(join(FIXTURES, '2026-12-07T20-10-12Z-rehearse-room-info-storage-latency', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, status: 'running', ended_at: undefined, exit_code: undefined }));
    writeFileSync(join(dir, 'events.ndjson'), `${JSON.stringify({ type: 'started', at: '2026-12-07T20:10:12.448Z', run: { endpoints: [] } })}\n`);
    const model = await report([dir]);
    expect(model.rehearsals[0]?.sop.id).toBe('room-info-storage-latency');
    expect(model.rehearsals[0]?.status).toBe('incomplete');
    expect(model.verdict.line).toMatch(/^FAIL — SOP room-info-storage-latency incomplete/);
    expect(model.notes.join('\n')).toMatch(/no journal\.json/);
  });

  it('reports a run that measured nothing without inventing a second', async () => {
    const dir = join(work, 'empty');
    writeLoadtestRun(dir, { name: 'empty', hash: 'h', startedAt: '2026-12-31T15:00:00.000Z', traffic: [] as never[] });
    const [load] = (await report([dir])).loads;
    expect(load?.totals.requests).toBe(0);
    expect(load?.duration_s).toBe(0);
    expect(load?.series.rate).toEqual([]);
  });

  it('locates a histogram that does not decode', async () => {
    const dir = join(work, 'bad-histogram');
    writeLoadtestRun(dir, { name: 'bad', hash: 'h', startedAt: '2026-12-31T15:00:00.000Z', traffic: [{ endpoint: 'e', seconds: 3, perSecond: 10, ms: 2 }] });
    const lines = readFileSync(join(dir, 'intervals.ndjson'), 'utf8').trim().split('\n');
    lines[2] = JSON.stringify({ ...(JSON.parse(lines[2] ?? '{}') as object), latency_us: '' });
    writeFileSync(join(dir, 'intervals.ndjson'), `${lines.join('\n')}\n`);
    await expect(report([dir])).rejects.toThrow(expect.objectContaining({ issues: [expect.objectContaining({ file: expect.stringMatching(/bad-histogram\/intervals\.ndjson$/), line: 3, message: expect.stringMatching(/^latency_us: not a compressed HDR histogram/) })] }));
  });
});
