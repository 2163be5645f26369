import { thresholdHolds, type ThresholdExpr } from '../scenarios/threshold-expr.js';
import { summariseLatency, type IntervalRecord } from './latency-intervals.js';

export interface ThresholdResult {
  expr: string;
  /** The measured value, in the expression's unit (ms, a fraction, per second); null with no data. */
  value: number | null;
  pass: boolean;
}

export interface Scopes {
  /** Endpoint (step) names of each journey, so `journey.p99` covers its steps. */
  journeyEndpoints: Readonly<Record<string, readonly string[]>>;
}

/** The records an expression's scope covers: one endpoint, a journey's endpoints, or all. */
function inScope(expr: ThresholdExpr, records: readonly IntervalRecord[], scopes: Scopes): IntervalRecord[] {
  if (expr.scope === undefined) return [...records];
  const endpoints = scopes.journeyEndpoints[expr.scope] ?? [expr.scope];
  return records.filter((record) => endpoints.includes(record.endpoint));
}

/** The expression's metric over `records`, which span `seconds` seconds; null when nothing was measured. */
function measure(expr: ThresholdExpr, records: readonly IntervalRecord[], seconds: number, scopes: Scopes): number | null {
  const covered = inScope(expr, records, scopes);
  const count = covered.reduce((sum, record) => sum + record.count, 0);
  switch (expr.metric.kind) {
    case 'rps':
      return seconds > 0 ? count / seconds : null;
    case 'error-rate': {
      if (count === 0) return null;
      const errors = covered.reduce((sum, record) => sum + Object.values(record.errors).reduce((total, n) => total + (n ?? 0), 0), 0);
      return errors / count;
    }
    case 'latency':
      return count === 0 ? null : summariseLatency(covered)[expr.metric.stat];
  }
}

/**
 * Thresholds over the whole run. A threshold with nothing measured fails: a run that sent nothing
 * to an endpoint proves nothing about it.
 */
export function evaluateThresholds(exprs: readonly ThresholdExpr[], records: readonly IntervalRecord[], seconds: number, scopes: Scopes): ThresholdResult[] {
  return exprs.map((expr) => {
    const value = measure(expr, records, seconds, scopes);
    return { expr: expr.text, value, pass: value !== null && thresholdHolds(value, expr) };
  });
}

/**
 * Whether an abort condition (phrased as the bad state, `errors.rate>5% for 10s`) holds over the
 * trailing window of its `for` (1 s without one), ending at `nowSecond` (exclusive). The window
 * must lie wholly inside the run.
 */
export function abortHolds(expr: ThresholdExpr, records: readonly IntervalRecord[], nowSecond: number, scopes: Scopes): boolean {
  const windowSeconds = Math.max(1, Math.ceil((expr.forMs ?? 1000) / 1000));
  if (nowSecond < windowSeconds) return false;
  const window = records.filter((record) => record.second >= nowSecond - windowSeconds && record.second < nowSecond);
  const value = measure(expr, window, windowSeconds, scopes);
  return value !== null && thresholdHolds(value, expr);
}
