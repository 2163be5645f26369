import { latencyOf } from './endpoint-totals.js';
import { droppedBecause, type LoadPlan } from './load-plan.js';
import type { RunAggregator } from './run-aggregator.js';
import type { RunSummary, StopReason, Verdict } from './run-events.js';
import { scheduledArrivals } from './scheduled-arrivals.js';
import type { ThresholdResult } from './threshold-evaluation.js';

const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The generator's own check, listed with the thresholds: a run whose generator fell behind (or
 * dropped arrivals) did not send the load it claims, so it cannot pass.
 */
function generatorCheck(plan: LoadPlan, lagP99: number, dropped: number, maxQueued: number): ThresholdResult {
  return {
    expr: `generator.lag.p99<${plan.limits.maxLagMs}ms, 0 dropped, 0 waiting for a connection`,
    value: lagP99,
    pass: lagP99 < plan.limits.maxLagMs && dropped === 0 && maxQueued === 0,
  };
}

/** Why the generator did not keep up, from the totals (the live warnings carry the first second's counts). */
function generatorWarnings(plan: LoadPlan, lagP99: number, dropped: number, maxQueued: number, workers: number): string[] {
  const warnings: string[] = [];
  if (lagP99 >= plan.limits.maxLagMs) warnings.push(`generator could not keep up: arrivals started late, lag p99 ${lagP99} ms (bound ${plan.limits.maxLagMs} ms): add --workers or generate from more machines`);
  if (dropped > 0) warnings.push(`generator could not keep up: ${dropped} arrivals dropped at ${droppedBecause(plan.limits)}`);
  if (maxQueued > 0) warnings.push(`all ${plan.limits.connections * workers} connections were busy: up to ${maxQueued} requests waited for one, so less load reached the target than scheduled (raise --connections)`);
  return warnings;
}

export interface RunTimes {
  startedAt: number;
  endedAt: number;
  /** How long the schedule ran: the whole profile, or until the stop. */
  ranMs: number;
  stopReason: StopReason;
  workers: number;
}

export function summarizeRun(plan: LoadPlan, aggregator: RunAggregator, run: RunTimes): RunSummary {
  const overall = aggregator.overall;
  const lag = latencyOf(aggregator.lag);
  const ranMs = Math.min(plan.durationMs, Math.max(1, run.ranMs));
  const seconds = Math.max(ranMs / 1000, 1e-3);
  const scheduled = scheduledArrivals(plan, ranMs);
  const thresholds = [...aggregator.thresholds(seconds), generatorCheck(plan, lag.p99, aggregator.dropped, aggregator.maxQueued)];
  const verdict: Verdict = aggregator.abort !== undefined ? 'aborted' : thresholds.every((result) => result.pass) ? 'pass' : 'fail';
  const firstErrors = [...aggregator.firstErrors].map(([kind, text]) => `first ${kind}: ${text}`);
  return {
    name: plan.name,
    target: plan.target,
    started_at: new Date(run.startedAt).toISOString(),
    ended_at: new Date(run.endedAt).toISOString(),
    duration_ms: Math.round(run.endedAt - run.startedAt),
    stop_reason: run.stopReason,
    requests: aggregator.sent,
    responses: overall.responses,
    errors: overall.errorCount,
    error_kinds: overall.errors,
    statuses: overall.statuses,
    rate: { target: round(scheduled / seconds), achieved: round(aggregator.started / seconds) },
    arrivals: { scheduled: Math.round(scheduled), started: aggregator.started, dropped: aggregator.dropped },
    latency_ms: overall.latency(),
    generator_lag_ms: { p50: lag.p50, p99: lag.p99, max: lag.max },
    generator: { kept_up: thresholds.at(-1)?.pass ?? true, warnings: generatorWarnings(plan, lag.p99, aggregator.dropped, aggregator.maxQueued, run.workers) },
    endpoints: Object.fromEntries(aggregator.endpointTotals().map(([name, totals]) => [name, { requests: totals.count, errors: totals.errorCount, latency_ms: totals.latency() }])),
    thresholds,
    ...(aggregator.abort === undefined ? {} : { abort: { expr: aggregator.abort.expr, value: aggregator.abort.value, at_ms: (aggregator.abort.second + 1) * 1000 } }),
    verdict,
    partial: run.stopReason !== 'completed',
    ...(firstErrors.length > 0 ? { first_errors: firstErrors } : {}),
  };
}
