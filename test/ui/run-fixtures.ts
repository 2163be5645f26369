import type { EndpointSnapshot, RunDescription, RunEvent, RunSnapshot } from '../../src/engine/run-events.js';

/** A realistic run: the demo scenario's two endpoints, one threshold breached. */
const run: RunDescription = {
  name: 's-final',
  target: 'http://127.0.0.1:8080',
  durationMs: 60_000,
  scheduledArrivals: 5400,
  peakRate: 100,
  workers: 4,
  endpoints: ['room-info', 'danmaku'],
  thresholds: ['room-info.p99<200ms', 'errors.rate<0.1%'],
  abort: ['errors.rate>5% for 10s'],
  runDir: 'runs/20260101T120000Z-s-final',
};

function endpoint(name: string, overrides: Partial<EndpointSnapshot>): EndpointSnapshot {
  return {
    name,
    requests: 0,
    errors: 0,
    rps: 0,
    latency_ms: { p50: 1.2, p90: 3.4, p99: 8.4, p999: 15, max: 21 },
    p99_history: [],
    ...overrides,
  };
}

export function snapshot(overrides: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    elapsedMs: 12_000,
    totalMs: 60_000,
    rate: { target: 100, achieved: 98 },
    requests: 1180,
    responses: 1176,
    inFlight: 4,
    statuses: { '2xx': 1170, '5xx': 2, none: 3 },
    errors: { timeout: 3, http_5xx: 2 },
    latency_ms: { p50: 1.2, p90: 3.4, p99: 8.4, p999: 15, max: 21 },
    endpoints: [
      endpoint('room-info', { requests: 1000, errors: 2, rps: 83, p99_history: [2, 4, null, 8, 16, 30] }),
      endpoint('danmaku', { requests: 175, errors: 3, rps: 15, latency_ms: { p50: 2, p90: 5, p99: 312, p999: 400, max: 512 } }),
    ],
    lag_ms: { p99: 0.3, max: 2.1 },
    dropped: 0,
    thresholds: [
      { expr: 'room-info.p99<200ms', value: 8.4, pass: true },
      { expr: 'errors.rate<0.1%', value: 5 / 1175, pass: false },
    ],
    warnings: [],
    ...overrides,
  };
}

export function second(elapsedMs: number, overrides: Partial<RunSnapshot> = {}): RunEvent {
  return { type: 'second', at: elapsedMs, second: elapsedMs / 1000 - 1, records: [], snapshot: snapshot({ elapsedMs, ...overrides }) };
}

export const started: RunEvent = { type: 'started', at: 0, run };
