import { describe, expect, it } from 'vitest';
import type { LoadPlan } from '../../src/engine/load-plan.js';
import { LoadGenerator, type GeneratorReport } from '../../src/engine/load-generator.js';
import { summariseLatency } from '../../src/engine/latency-intervals.js';
import { fakeTransport, ManualClock, type FakeReply } from '../helpers/manual-clock.js';
import { step, testPlan } from '../helpers/load-plans.js';
import type { HttpRequest } from '../../src/engine/http-transport.js';

function drive(plan: LoadPlan, reply: (request: HttpRequest) => FakeReply = () => ({ status: 200, afterMs: 5 }), worker = { index: 0, count: 1 }) {
  const clock = new ManualClock();
  const transport = fakeTransport(clock, reply);
  const reports: GeneratorReport[] = [];
  const generator = new LoadGenerator({ plan, worker, transport, clock, report: (report) => reports.push(report) });
  let finished = false;
  void generator.run().then(() => (finished = true));
  return {
    clock,
    transport,
    reports,
    generator,
    finished: () => finished,
    records: () => reports.flatMap((report) => report.records),
    total: (field: 'started' | 'dropped' | 'sent') => reports.reduce((sum, report) => sum + report[field], 0),
  };
}

describe('LoadGenerator on a manual clock', () => {
  it('sends exactly the scheduled arrivals, each at its intended time, and finishes', async () => {
    const run = drive(testPlan({ rate: 100, durationMs: 10_000 }));
    run.clock.advanceTo(20_000);
    await Promise.resolve();
    expect(run.transport.requests).toHaveLength(1000);
    expect(run.transport.requests.slice(0, 3).map((request) => request.at)).toEqual([10, 20, 30]);
    expect(run.total('started')).toBe(1000);
    expect(run.finished()).toBe(true);
    expect(run.reports.at(-1)?.final).toBe(true);
    const latency = summariseLatency(run.records());
    expect(latency.count).toBe(1000);
    expect(latency.p50).toBeCloseTo(5, 1);
  });

  it('follows a ramp: a linear 0→1 ramp sends a quarter of its arrivals in its first half', () => {
    const run = drive(testPlan({ rate: 200, durationMs: 10_000, segments: [{ start: 0, end: 10_000, from: 0, to: 1 }] }));
    run.clock.advanceTo(5000);
    expect(run.transport.requests).toHaveLength(250);
    run.clock.advanceTo(20_000);
    expect(run.transport.requests).toHaveLength(1000);
  });

  it('reports whole seconds only once the clock has passed them, counting requests by the second they finished', () => {
    const run = drive(testPlan({ rate: 10, durationMs: 3000 }), () => ({ status: 200, afterMs: 50 }));
    run.clock.advanceTo(1000.5);
    const first = run.reports[0];
    expect(first?.completeUpTo).toBe(1);
    // Arrivals at 100…1000 ms; the one sent at 1000 ms ends at 1050, in second 1.
    expect(first?.records).toEqual([expect.objectContaining({ second: 0, endpoint: 'home', count: 9 })]);
  });

  it('counts latency from the intended time when the generator starts an arrival late', () => {
    const plan = testPlan({ rate: 1000, durationMs: 100 });
    const run = drive(plan, () => ({ status: 200, afterMs: 1 }));
    // The first tick comes 50 ms late: 50 arrivals are due at once.
    run.clock.time = 50;
    run.clock.advanceTo(1000);
    const latency = summariseLatency(run.records());
    expect(latency.max).toBeGreaterThanOrEqual(49);
    expect(latency.min).toBeCloseTo(1, 1);
  });

  it('drops arrivals beyond the in-flight limit and counts them', () => {
    const plan = testPlan({ rate: 100, durationMs: 1000, limits: { connections: 10, maxInFlight: 5, connectTimeoutMs: 1000, maxLagMs: 100 } });
    const run = drive(plan, () => ({ status: 200, afterMs: 10_000 }));
    run.clock.advanceTo(30_000);
    expect(run.total('started')).toBe(5);
    expect(run.total('dropped')).toBe(95);
  });

  it('drops arrivals while too many requests already wait for a connection (1000, or 4 per connection)', () => {
    const plan = testPlan({ rate: 100, durationMs: 1000, limits: { connections: 300, maxInFlight: 10_000, connectTimeoutMs: 1000, maxLagMs: 100 } });
    const run = drive(plan);
    run.clock.advanceTo(300);
    run.transport.waiting = 1199;
    run.clock.advanceTo(500);
    run.transport.waiting = 1200;
    run.clock.advanceTo(800);
    run.transport.waiting = 0;
    run.clock.advanceTo(2000);
    expect(run.total('dropped')).toBe(30);
    expect(run.total('started')).toBe(70);
  });

  it('runs a journey\'s steps in order, passing captured values on; the next step is meant for when the last ended', () => {
    const plan = testPlan({
      rate: 1,
      durationMs: 1000,
      journeys: [
        {
          name: 'login',
          weight: 1,
          steps: [
            step('login', { method: 'POST', url: '/login', json: { uid: '{{seq}}' }, captures: { token: ['data', 'token'] }, thinkMs: 100 }),
            step('me', { url: '/me?token={{token}}' }),
          ],
        },
      ],
    });
    const run = drive(plan, (request) => (request.path === '/login' ? { status: 200, body: '{"data":{"token":"a b"}}', afterMs: 20 } : { status: 200, afterMs: 5 }));
    run.clock.advanceTo(5000);
    expect(run.transport.requests.map((request) => [request.path, request.at])).toEqual([
      ['/login', 1000],
      ['/me?token=a%20b', 1120],
    ]);
    expect(run.transport.requests[0]?.body).toBe('{"uid":0}');
    expect(run.transport.requests[0]?.headers).toEqual(['content-type', 'application/json']);
  });

  it('ends a journey at a failed step and classifies the failure', () => {
    const plan = testPlan({ rate: 10, durationMs: 1000, journeys: [{ name: 'j', weight: 1, steps: [step('a', { expectStatus: [200, 429] }), step('b')] }] });
    let n = 0;
    const statuses = [200, 429, 500, 404, 204];
    const run = drive(plan, (request) => (request.path === '/a' ? { status: statuses[n++ % statuses.length] ?? 200, afterMs: 1 } : { status: 200, afterMs: 1 }));
    run.clock.advanceTo(5000);
    const records = run.records().filter((record) => record.endpoint === 'a');
    const errors = records.reduce<Record<string, number>>((sum, record) => {
      for (const [kind, count] of Object.entries(record.errors)) sum[kind] = (sum[kind] ?? 0) + (count ?? 0);
      return sum;
    }, {});
    expect(errors).toEqual({ http_5xx: 2, http_4xx: 2, check_failed: 2 });
    // Only the 200 and 429 answers go on to step b.
    expect(run.transport.requests.filter((request) => request.path === '/b')).toHaveLength(4);
  });

  it('classifies transport failures (refused, timeout, reset)', () => {
    const codes = ['ECONNREFUSED', 'UND_ERR_HEADERS_TIMEOUT', 'ECONNRESET'];
    let n = 0;
    const run = drive(testPlan({ rate: 3, durationMs: 1000 }), () => ({ error: codes[n++] ?? 'EWHAT', afterMs: 1 }));
    run.clock.advanceTo(5000);
    const errors = run.records().flatMap((record) => Object.entries(record.errors));
    expect(Object.fromEntries(errors)).toEqual({ refused: 1, timeout: 1, reset: 1 });
    expect(run.records().reduce((sum, record) => sum + (record.statuses['none'] ?? 0), 0)).toBe(3);
  });

  it('split between two workers, sends exactly the arrivals one worker would', () => {
    const plan = testPlan({ rate: 77, durationMs: 3000, arrivals: 'poisson' });
    const single = drive(plan);
    single.clock.advanceTo(10_000);
    const halves = [0, 1].map((index) => {
      const run = drive(plan, undefined, { index, count: 2 });
      run.clock.advanceTo(10_000);
      return run.transport.requests.map((request) => request.at);
    });
    const merged = halves.flat().sort((a, b) => a - b);
    expect(merged).toEqual(single.transport.requests.map((request) => request.at));
    expect(Math.abs((halves[0]?.length ?? 0) - (halves[1]?.length ?? 0))).toBeLessThanOrEqual(1);
  });

  it('stops scheduling on stop(); requests in flight still finish and are recorded', async () => {
    const run = drive(testPlan({ rate: 100, durationMs: 10_000 }), () => ({ status: 200, afterMs: 300 }));
    run.clock.advanceTo(1000);
    run.generator.stop();
    const sent = run.transport.requests.length;
    run.clock.advanceTo(2000);
    await Promise.resolve();
    expect(run.transport.requests).toHaveLength(sent);
    expect(run.finished()).toBe(true);
    expect(summariseLatency(run.records()).count).toBe(sent);
  });
});
