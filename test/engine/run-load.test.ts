import { describe, expect, it } from 'vitest';
import { runLoad } from '../../src/engine/create-run.js';
import type { HttpRequest } from '../../src/engine/http-transport.js';
import type { LoadPlan } from '../../src/engine/load-plan.js';
import type { RunEvent, RunSummary } from '../../src/engine/run-events.js';
import { loadtestExitCode } from '../../src/engine/run-exit-code.js';
import { expr, step, testPlan } from '../helpers/load-plans.js';
import { fakeTransport, ManualClock, type FakeReply } from '../helpers/manual-clock.js';

async function runOnManualClock(
  plan: LoadPlan,
  reply: (request: HttpRequest, at: number) => FakeReply,
  options: { interruptAt?: number } = {},
): Promise<{ summary: RunSummary; events: RunEvent[]; sent: number[] }> {
  const clock = new ManualClock();
  const transport = fakeTransport(clock, (request) => reply(request, clock.now()));
  const events: RunEvent[] = [];
  const controller = new AbortController();
  let summary: RunSummary | undefined;
  const running = runLoad(plan, { sinks: [{ handle: (event) => events.push(event) }], mode: { kind: 'in-process', transport, clock }, signal: controller.signal, now: () => 1_700_000_000_000 + clock.now() }).then((result) => (summary = result));
  for (let t = 0; summary === undefined && t < 120_000; t += 100) {
    if (options.interruptAt !== undefined && t >= options.interruptAt && !controller.signal.aborted) controller.abort();
    clock.advanceTo(t);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await running;
  if (summary === undefined) throw new Error('the run did not finish');
  return { summary, events, sent: transport.requests.map((request) => request.at) };
}

describe('runLoad (in process, manual clock)', () => {
  it('merges seconds into a summary with rates, percentiles per endpoint and a passing verdict', async () => {
    const plan = testPlan({ rate: 50, durationMs: 4000, journeys: [{ name: 'j', weight: 1, steps: [step('a'), step('b')] }], thresholds: [expr('a.p99<20ms'), expr('errors.rate<1%')] });
    const { summary, events } = await runOnManualClock(plan, (request) => ({ status: 200, afterMs: request.path === '/a' ? 10 : 30 }));
    expect(summary).toMatchObject({ requests: 400, responses: 400, errors: 0, rate: { target: 50, achieved: 50 }, arrivals: { scheduled: 200, started: 200, dropped: 0 }, verdict: 'pass', stop_reason: 'completed' });
    expect(summary.endpoints['a']?.latency_ms.p99).toBeCloseTo(10, 1);
    expect(summary.endpoints['b']?.latency_ms.p50).toBeCloseTo(30, 1);
    expect(summary.thresholds.map((result) => result.pass)).toEqual([true, true, true]);
    const seconds = events.flatMap((event) => (event.type === 'second' ? [event.second] : []));
    expect(seconds).toEqual([0, 1, 2, 3, 4]);
    expect(loadtestExitCode(summary)).toBe(0);
  });

  it('fails a breached threshold and reports the measured value; the snapshot turned it red while running', async () => {
    const plan = testPlan({ rate: 20, durationMs: 3000, thresholds: [expr('p99<20ms')] });
    const { summary, events } = await runOnManualClock(plan, () => ({ status: 200, afterMs: 50 }));
    expect(summary.verdict).toBe('fail');
    expect(summary.thresholds[0]).toMatchObject({ expr: 'p99<20ms', pass: false });
    expect(summary.thresholds[0]?.value).toBeCloseTo(50, 0);
    expect(events.some((event) => event.type === 'threshold' && !event.pass)).toBe(true);
    expect(loadtestExitCode(summary)).toBe(1);
  });

  it('stops early when an abort condition holds for its window, with the summary of what ran', async () => {
    const plan = testPlan({ rate: 20, durationMs: 30_000, abort: [expr('errors.rate>50% for 2s')] });
    const { summary, events, sent } = await runOnManualClock(plan, (_, at) => ({ status: at < 3000 ? 200 : 503, afterMs: 5 }));
    expect(summary.verdict).toBe('aborted');
    expect(summary.stop_reason).toBe('aborted');
    expect(summary.abort).toMatchObject({ expr: 'errors.rate>50% for 2s', value: 1, at_ms: 5000 });
    expect(Math.max(...sent)).toBeLessThan(6000);
    expect(events.map((event) => event.type)).toContain('aborted');
    expect(loadtestExitCode(summary)).toBe(4);
  });

  it('on interrupt, stops scheduling and still summarises; exit 130', async () => {
    const plan = testPlan({ rate: 10, durationMs: 60_000 });
    const { summary, sent } = await runOnManualClock(plan, () => ({ status: 200, afterMs: 5 }), { interruptAt: 2500 });
    expect(summary.stop_reason).toBe('interrupted');
    expect(summary.requests).toBe(sent.length);
    expect(summary.requests).toBeGreaterThanOrEqual(24);
    expect(summary.requests).toBeLessThanOrEqual(26);
    expect(loadtestExitCode(summary)).toBe(130);
  });

  it('fails a run where everything fails on its error rate, while its latency threshold passes', async () => {
    const plan = testPlan({ rate: 10, durationMs: 2000, thresholds: [expr('p99<50ms'), expr('errors.rate<1%')] });
    const { summary } = await runOnManualClock(plan, () => ({ status: 500, afterMs: 5 }));
    expect(summary.thresholds.map((result) => [result.expr, result.pass])).toEqual([
      ['p99<50ms', true],
      ['errors.rate<1%', false],
      ['generator.lag.p99<100ms, 0 dropped, 0 waiting for a connection', true],
    ]);
    expect(summary.verdict).toBe('fail');
    expect(summary.error_kinds).toEqual({ http_5xx: 20 });
    expect(summary.first_errors).toEqual(['first http_5xx: home: HTTP 500']);
  });

  it('keeps refused connections out of the percentiles', async () => {
    let n = 0;
    const { summary } = await runOnManualClock(testPlan({ rate: 10, durationMs: 2000 }), () => (n++ % 2 === 0 ? { error: 'ECONNREFUSED', afterMs: 0.1 } : { status: 200, afterMs: 40 }));
    expect(summary.latency_ms.p50).toBeCloseTo(40, 0);
    expect(summary.error_kinds).toEqual({ refused: 10 });
  });

  it('a target that never answers is an environment failure (exit 3)', async () => {
    const { summary } = await runOnManualClock(testPlan({ rate: 10, durationMs: 2000 }), () => ({ error: 'ECONNREFUSED', afterMs: 1 }));
    expect(summary.responses).toBe(0);
    expect(summary.first_errors?.[0]).toMatch(/^first refused: ECONNREFUSED/);
    expect(loadtestExitCode(summary)).toBe(3);
  });

  it('says loudly when arrivals were dropped, and the generator check fails the run', async () => {
    const plan = testPlan({ rate: 100, durationMs: 2000, limits: { connections: 10, maxInFlight: 3, connectTimeoutMs: 1000, maxLagMs: 100 } });
    const { summary, events } = await runOnManualClock(plan, () => ({ status: 200, afterMs: 1000 }));
    expect(summary.arrivals.dropped).toBeGreaterThan(100);
    expect(summary.generator.kept_up).toBe(false);
    expect(summary.verdict).toBe('fail');
    expect(events.find((event) => event.type === 'warning')).toMatchObject({ reason: 'dropped', message: expect.stringMatching(/could not keep up: \d+ arrivals dropped/) });
  });
});
