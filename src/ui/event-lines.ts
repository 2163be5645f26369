import type { IsolationEvent, RunDescription, RunEvent, RunSnapshot, StopReason, WarningReason } from '../engine/run-events.js';
import { formatDuration } from '../scenarios/unit-text.js';
import { formatBreakdown, formatCount, formatMs, formatPercent, formatQuantity, formatRate } from './format.js';
import { errorTotals } from './snapshot-totals.js';
import { formatThresholdValue } from './threshold-value.js';

/** One line per event, as plain text: the plain reporter prints them, the dashboard logs them above its frame. */

export function describeStart(run: RunDescription): string {
  const parts = [
    `loadtest ${run.name} → ${run.target}`,
    `duration ${formatDuration(run.durationMs)}`,
    `peak ${formatQuantity(run.peakRate)}/s`,
    `${run.workers} worker${run.workers === 1 ? '' : 's'}`,
  ];
  if (run.runDir !== undefined) parts.push(`run dir ${run.runDir}`);
  return parts.join('  ');
}

/** `  12s/1m  rate 98.0/100 /s  req 1,180  err 0.4% (timeout 3)  p50 1.2ms p99 8.4ms  lag p99 0.3ms  in-flight 4` */
export function describeProgress(snapshot: RunSnapshot): string {
  const errors = errorTotals(snapshot);
  const kinds = formatBreakdown(snapshot.errors);
  const parts = [
    `${formatDuration(snapshot.elapsedMs)}/${formatDuration(snapshot.totalMs)}`,
    `rate ${formatRate(snapshot.rate.achieved)}/${formatQuantity(snapshot.rate.target)} /s`,
    `req ${formatCount(snapshot.requests)}`,
    `err ${formatPercent(errors.rate)}${kinds === '' ? '' : ` (${kinds})`}`,
    `p50 ${formatMs(snapshot.latency_ms.p50)} p99 ${formatMs(snapshot.latency_ms.p99)}`,
    `lag p99 ${formatMs(snapshot.lag_ms.p99)}`,
    `in-flight ${formatCount(snapshot.inFlight)}`,
  ];
  if (snapshot.dropped > 0) parts.push(`DROPPED ${formatCount(snapshot.dropped)}`);
  return `  ${parts.join('  ')}`;
}

const WARNING_SUBJECTS: Record<WarningReason, string> = {
  lag: 'generator lag',
  dropped: 'generator dropped arrivals',
  pool: 'connection pool',
};

/** Loud on purpose: a generator that falls behind measures less load than was asked for. */
export function describeWarning(event: Extract<RunEvent, { type: 'warning' }>): string {
  // The engine's messages usually name the generator already; do not say it twice.
  const subject = /^generator\b/i.test(event.message) ? '' : `${WARNING_SUBJECTS[event.reason]}: `;
  return `WARNING: ${subject}${event.message}`;
}

export function describeFailingThreshold(expr: string, value: number | null): string {
  return `threshold failing: ${expr} (measured ${formatThresholdValue(expr, value)})`;
}

export function describeAbort(expr: string, value: number | null): string {
  // An abort with no measurement behind it (the leak sentinel) explains itself.
  if (value === null && expr.startsWith('shadow leak')) return `ABORTED: ${expr}`;
  return `ABORTED: ${expr} held (measured ${formatThresholdValue(expr, value)})`;
}

export function describeIsolation(event: IsolationEvent): string {
  return `shadow ${event.check}: ${event.ok ? '' : 'FAILED: '}${event.message}`;
}

const STOP_REASONS: Record<StopReason, string> = {
  completed: 'schedule complete',
  aborted: 'an abort condition held',
  interrupted: 'interrupted',
};

export function describeStopping(reason: StopReason): string {
  return `stopping: ${STOP_REASONS[reason]}`;
}
