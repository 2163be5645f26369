import { describe, expect, it, vi } from 'vitest';
import { runLoad, type RunWatch } from '../../src/engine/create-run.js';
import type { HttpRequest } from '../../src/engine/http-transport.js';
import { LoadGenerator, type GeneratorReport } from '../../src/engine/load-generator.js';
import type { LoadPlan, PlannedStep, WriteRecord } from '../../src/engine/load-plan.js';
import type { RunSummary } from '../../src/engine/run-events.js';
import { loadtestExitCode } from '../../src/engine/run-exit-code.js';
import { step, testPlan } from '../helpers/load-plans.js';
import { fakeTransport, ManualClock, type FakeReply } from '../helpers/manual-clock.js';

const MARKER_PREFIX = 'la~run-1~';

const send: PlannedStep = step('send', {
  method: 'POST',
  url: '/send',
  write: true,
  json: { room: '{{room}}', msg: 'hello {{marker}}', uid: '{{uid}}' },
  writes: [{ store: 'r', key: 'danmaku:{{room}}' }],
});

/** A journey that reads, then writes: only the write is recorded. */
function writePlan(overrides: Partial<LoadPlan> & { rate?: number } = {}): LoadPlan {
  return testPlan({
    rate: 100,
    durationMs: 3000,
    journeys: [{ name: 'chat', weight: 1, steps: [step('home'), send] }],
    keys: {
      room: { kind: 'feed', values: ['7', '8', '9'], order: 'sequence' },
      uid: { kind: 'distribution', distribution: { shadow_range: [9_000_000_000, 9_000_999_999] } },
    },
    isolation: { markerPrefix: MARKER_PREFIX, idKeys: ['uid'], recordWrites: true },
    ...overrides,
  });
}

function drive(plan: LoadPlan, reply: (request: HttpRequest) => FakeReply) {
  const clock = new ManualClock();
  const transport = fakeTransport(clock, reply);
  const reports: GeneratorReport[] = [];
  const generator = new LoadGenerator({ plan, worker: { index: 0, count: 1 }, transport, clock, report: (report) => reports.push(report) });
  void generator.run();
  clock.advanceTo(60_000);
  return { reports, requests: transport.requests };
}

interface SentBody {
  room: string;
  msg: string;
  uid: number;
}

function bodyOf(request: HttpRequest): SentBody {
  const parsed: unknown = JSON.parse(request.body ?? '{}');
  const value = (name: string): unknown => (typeof parsed === 'object' && parsed !== null ? Object.entries(parsed).find(([key]) => key === name)?.[1] : undefined);
  return { room: String(value('room')), msg: String(value('msg')), uid: Number(value('uid')) };
}

describe('write records from the generator', () => {
  it('reports a sample of at most 16 writes per report, with rendered keys and the marker and shadow id each request carried', () => {
    let n = 0;
    // Refused and failed writes count too: a refused request may still have written.
    const { reports, requests } = drive(writePlan(), (request) =>
      request.path === '/send' ? (n++ % 10 === 0 ? { status: 503, afterMs: 3 } : n % 17 === 0 ? { error: 'ECONNRESET', afterMs: 3 } : { status: 200, afterMs: 3 }) : { status: 200, afterMs: 2 },
    );
    const writes = requests.filter((request) => request.path === '/send');
    expect(writes).toHaveLength(300);
    expect(reports.reduce((sum, report) => sum + report.writeCount, 0)).toBe(300);
    for (const report of reports) {
      expect(report.writes.length).toBeLessThanOrEqual(16);
      expect(report.writes.length).toBe(Math.min(16, report.writeCount));
    }
    expect(reports.some((report) => report.writeCount > 16)).toBe(true);

    const byMarker = new Map(writes.map((request) => [bodyOf(request).msg.replace('hello ', ''), bodyOf(request)]));
    const records: WriteRecord[] = reports.flatMap((report) => report.writes);
    expect(records.length).toBeGreaterThanOrEqual(48);
    for (const record of records) {
      const [marker, uid, ...rest] = record.tokens;
      expect(rest).toEqual([]);
      const body = byMarker.get(marker ?? '');
      if (body === undefined) throw new Error(`no request carried ${marker}`);
      expect(record).toEqual({ step: 'send', keys: [{ store: 'r', key: `danmaku:${body.room}` }], tokens: [marker, String(body.uid)] });
      expect(uid).toBe(String(body.uid));
    }
    // A sample of each report's writes, not its first 16. Writes are answered in arrival order, so
    // report k holds arrivals from the sum of the earlier counts on.
    let first = 0;
    const offsets: number[] = [];
    for (const report of reports) {
      for (const record of report.writes) offsets.push(Number(/~(\d+)\.1$/.exec(record.tokens[0] ?? '')?.[1]) - first);
      first += report.writeCount;
    }
    expect(offsets.every((offset) => offset >= 0 && offset < 100)).toBe(true);
    expect(offsets.some((offset) => offset >= 16)).toBe(true);
  });

  it('renders {{marker}} as the plan\'s marker prefix, the arrival and the step: unique per request', () => {
    const { requests } = drive(writePlan(), () => ({ status: 200, afterMs: 1 }));
    const markers = requests.filter((request) => request.path === '/send').map((request) => bodyOf(request).msg.replace('hello ', ''));
    expect(markers).toHaveLength(300);
    expect(new Set(markers).size).toBe(300);
    for (const marker of markers) expect(marker).toMatch(/^la~run-1~\d+\.1$/);
  });

  it('reports no writes when the plan does not ask for them', () => {
    const plan = writePlan();
    const { reports, requests } = drive({ ...plan, isolation: { ...plan.isolation, recordWrites: false } }, () => ({ status: 200, afterMs: 1 }));
    expect(requests.filter((request) => request.path === '/send')).toHaveLength(300);
    expect(reports.length).toBeGreaterThan(1);
    for (const report of reports) expect(report).toMatchObject({ writes: [], writeCount: 0 });
  });
});

describe('runLoad with a watch', () => {
  it('ends the run when the watch aborts: verdict aborted, the watch\'s words as the abort expression', async () => {
    const why = 'shadow leak: send wrote la~run-1~12.1 into production key danmaku:7 (list, list element 0) of store r: "hello"';
    const seen: Array<{ records: WriteRecord[]; count: number }> = [];
    let abort: ((expr: string) => void) | undefined;
    const watch: RunWatch = {
      start: vi.fn((given: (expr: string) => void) => (abort = given)),
      writes: vi.fn((records: WriteRecord[], count: number) => {
        seen.push({ records, count });
        // As the sentinel does on its first hit.
        if (seen.length === 2) abort?.(why);
      }),
      stop: vi.fn(async () => undefined),
    };
    const clock = new ManualClock();
    const transport = fakeTransport(clock, () => ({ status: 200, afterMs: 5 }));
    let summary: RunSummary | undefined;
    const plan = writePlan({ rate: 20, durationMs: 30_000 });
    const running = runLoad(plan, { sinks: [], mode: { kind: 'in-process', transport, clock }, now: () => 1_700_000_000_000 + clock.now(), watch }).then((result) => (summary = result));
    for (let t = 0; summary === undefined && t < 60_000; t += 100) {
      clock.advanceTo(t);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await running;
    if (summary === undefined) throw new Error('the run did not finish');

    expect(summary.verdict).toBe('aborted');
    expect(summary.stop_reason).toBe('aborted');
    expect(summary.abort?.expr).toBe(why);
    expect(loadtestExitCode(summary)).toBe(4);
    // Stopped about when the watch said so (the second report, at 2 s), not at the end of the plan.
    expect(Math.max(...transport.requests.map((request) => request.at))).toBeLessThan(3000);
    expect(watch.start).toHaveBeenCalledTimes(1);
    expect(watch.stop).toHaveBeenCalledTimes(1);
    expect(seen[0]?.count).toBeGreaterThan(16);
    expect(seen[0]?.records.length).toBe(16);
  });
});
