import type { LoadPlan, PlannedJourney, PlannedStep } from '../../src/engine/load-plan.js';
import { parseThresholdExpr, type ThresholdExpr } from '../../src/scenarios/threshold-expr.js';

export function expr(text: string): ThresholdExpr {
  const parsed = parseThresholdExpr(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

export function step(name: string, overrides: Partial<PlannedStep> = {}): PlannedStep {
  return { name, method: 'GET', url: `/${name}`, headers: {}, captures: {}, timeoutMs: 5000, thinkMs: 0, write: false, writes: [], ...overrides };
}

/** A plan at `rate` arrivals/s for `durationMs`, one journey of one step unless given. */
export function testPlan(overrides: Partial<LoadPlan> & { rate?: number } = {}): LoadPlan {
  const { rate = 100, ...rest } = overrides;
  const durationMs = rest.durationMs ?? 10_000;
  const journeys: PlannedJourney[] = rest.journeys ?? [{ name: 'get', weight: 1, steps: [step('home')] }];
  return {
    name: 'test',
    target: 'http://127.0.0.1:9',
    runId: 'run-1',
    seed: 7,
    segments: [{ start: 0, end: durationMs, from: 1, to: 1 }],
    durationMs,
    ratePerSecond: rate,
    arrivals: 'constant',
    journeys,
    keys: {},
    thresholds: [expr('errors.rate<1%')],
    abort: [],
    journeyEndpoints: Object.fromEntries(journeys.map((journey) => [journey.name, journey.steps.map((planned) => planned.name)])),
    injectedHeaders: { every: {}, writes: {} },
    isolation: { markerPrefix: 'la~run-1~', idKeys: [], recordWrites: false },
    limits: { connections: 10, maxInFlight: 10_000, connectTimeoutMs: 1000, maxLagMs: 100 },
    ...rest,
  };
}
