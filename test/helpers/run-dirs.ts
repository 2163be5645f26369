import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntervalRecorder } from '../../src/engine/latency-intervals.js';
import type { RequestOutcome } from '../../src/engine/request-outcome.js';
import { createRunStore } from '../../src/engine/run-store.js';

/** Requests of one endpoint over some seconds: `perSecond` each second, every latency `ms`, some failing. */
export interface Traffic {
  endpoint: string;
  seconds: number;
  perSecond: number;
  ms: number | ((second: number) => number);
  /** Failing requests per second (HTTP 503). */
  failing?: number;
}

/**
 * A loadtest run directory written by the engine's own run store and interval recorder, from
 * made-up traffic: the report is tested against the writer, not against a copy of its format.
 */
export function writeLoadtestRun(dir: string, options: { name: string; startedAt: string; hash: string; traffic: Traffic[]; thresholds?: Array<{ expr: string; value: number | null; pass: boolean }>; verdict?: 'pass' | 'fail' | 'aborted'; scenario?: unknown; plan?: unknown }): void {
  const started = Date.parse(options.startedAt);
  const store = createRunStore(dir, {
    kind: 'loadtest',
    tool: { name: 'live-assure', version: 'test' },
    invocation: { command: 'loadtest', args: [], options: {} },
    ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    plan: options.plan ?? { name: options.name, target: 'http://127.0.0.1:1', journeyEndpoints: {} },
    hash: options.hash,
    started_at: options.startedAt,
    status: 'running',
  });
  const recorder = new IntervalRecorder();
  const endpoints = options.traffic.map((traffic) => traffic.endpoint);
  store.handle({ type: 'started', at: started, run: { name: options.name, target: 'http://127.0.0.1:1', durationMs: 0, scheduledArrivals: 0, peakRate: 0, workers: 1, endpoints, thresholds: [], abort: [] } });
  let requests = 0;
  for (const traffic of options.traffic) {
    for (let second = 0; second < traffic.seconds; second += 1) {
      const ms = typeof traffic.ms === 'number' ? traffic.ms : traffic.ms(second);
      for (let n = 0; n < traffic.perSecond; n += 1) {
        const intendedAt = second * 1000 + (n * 1000) / traffic.perSecond;
        const failing = n < (traffic.failing ?? 0);
        const outcome: RequestOutcome = { endpoint: traffic.endpoint, intendedAt, finishedAt: Math.min(intendedAt + ms, second * 1000 + 999), status: failing ? 503 : 200, ...(failing ? { error: 'http_5xx' as const } : {}) };
        recorder.record(outcome);
        requests += 1;
      }
    }
  }
  const records = recorder.flush();
  appendFileSync(join(dir, 'intervals.ndjson'), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  const seconds = Math.max(0, ...options.traffic.map((traffic) => traffic.seconds));
  const ended = new Date(started + seconds * 1000).toISOString();
  const latency = { p50: 1, p90: 1, p99: 1, p999: 1, max: 1 };
  const summary = {
    name: options.name, target: 'http://127.0.0.1:1', started_at: options.startedAt, ended_at: ended, duration_ms: seconds * 1000, stop_reason: options.verdict === 'aborted' ? 'aborted' : 'completed',
    requests, responses: requests, errors: 0, error_kinds: {}, statuses: {}, rate: { target: 1, achieved: 1 }, arrivals: { scheduled: 0, started: 0, dropped: 0 }, latency_ms: latency,
    generator_lag_ms: { p50: 0, p99: 0, max: 0 }, generator: { kept_up: true, warnings: [] }, endpoints: {}, thresholds: options.thresholds ?? [], verdict: options.verdict ?? 'pass', partial: options.verdict === 'aborted',
  };
  store.writeSummary(summary);
  store.note({ type: 'finished', at: ended, verdict: options.verdict ?? 'pass' });
  store.finish(options.verdict === 'pass' || options.verdict === undefined ? 0 : 1);
}
