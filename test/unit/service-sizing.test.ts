import fc from 'fast-check';
import { expect, test } from 'vitest';
import { evaluateErlang } from '../../src/scenarios/erlang-c.js';
import { sizeService } from '../../src/scenarios/service-sizing.js';
import { scenarioFrom } from '../helpers/scenarios.js';

function scenarioWith(service: string, slo = '{ p99_ms: 50 }') {
  return scenarioFrom(`
name: sizing
audience: { peak: 1000, curve: [{ at: 0m, share: 1 }] }
journeys: { j: { rate: 1/s, steps: [{ name: s, GET: / }] } }
endpoints: { s: { calls: [{ to: svc }] } }
services:
  svc: ${service}
slo: ${slo}
headroom: 0.5
`);
}

test('a single-worker instance is M/M/1: P(W > t) = ρ·e^(−(μ − λ)t), solved by hand', () => {
  // 10 ms service, 1 worker, p99 within 50 ms ⇒ wait budget 40 ms. Each instance may take λ ≤ 22.34/s
  // (ρ·e^(−(100 − λ)·0.04) = 0.01), so 1000/s needs ceil(1000 / 22.34) = 45 instances; headroom asks 20.
  const scenario = scenarioWith('{ per_instance_qps: 100, service_time_ms: 10, instances: 50 }');
  const service = scenario.services.svc;
  if (service === undefined) throw new Error('no service');
  const sizing = sizeService('svc', 1000, service, scenario);
  expect(sizing.by_headroom).toBe(20);
  expect(sizing.by_latency).toMatchObject({ instances: 45, workers: 1, quantile: 0.99, wait_budget_ms: 40, source: 'slo.p99_ms' });
  expect(sizing).toMatchObject({ needed: 45, decided_by: 'latency' });
  const closedForm = (perInstance: number) => (perInstance / 100) * Math.exp(-(100 - perInstance) * 0.04);
  expect(closedForm(1000 / 45)).toBeLessThanOrEqual(0.01);
  expect(closedForm(1000 / 44)).toBeGreaterThan(0.01);
});

test('the service\'s own budget wins over the scenario SLO; an impossible budget is reported, not sized', () => {
  const scenario = scenarioWith('{ per_instance_qps: 100, service_time_ms: 10, instances: 50, slo: { p95_ms: 8 } }');
  const service = scenario.services.svc;
  if (service === undefined) throw new Error('no service');
  const sizing = sizeService('svc', 1000, service, scenario);
  expect(sizing.by_latency).toBeNull();
  expect(sizing.latency_impossible).toBe('service time 10ms alone uses the whole 8ms budget of services.svc.slo.p95_ms');
});

test('property: the latency rule returns the smallest instance count that meets the budget', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50_000 }),
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 200 }),
      (peak, workers, serviceMs, extraBudget) => {
        const scenario = scenarioWith(
          `{ per_instance_qps: 100, service_time_ms: ${serviceMs}, workers: ${workers}, instances: 1 }`,
          `{ p99_ms: ${serviceMs + extraBudget} }`,
        );
        const service = scenario.services.svc;
        if (service === undefined) throw new Error('no service');
        const latency = sizeService('svc', peak, service, scenario).by_latency;
        if (latency === null) throw new Error('expected a latency sizing');
        const exceed = (instances: number) =>
          evaluateErlang({ servers: workers, rate: peak / instances, serviceMs, waitMs: extraBudget, quantile: 0.99 }).p_exceed;
        expect(exceed(latency.instances)).toBeLessThanOrEqual(0.01 * (1 + 1e-12));
        if (latency.instances > 1) expect(exceed(latency.instances - 1)).toBeGreaterThan(0.01);
      },
    ),
    { numRuns: 200 },
  );
});
