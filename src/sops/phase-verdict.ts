import type { IntervalRecord } from '../engine/latency-intervals.js';
import { evaluateThresholds, type Scopes } from '../engine/threshold-evaluation.js';
import type { ThresholdExpr } from '../scenarios/threshold-expr.js';
import type { TextHypothesis } from './hypothesis.js';

/** A window of the background load: its per-second records, from `fromSecond` for `seconds`. */
export interface LoadWindow {
  fromSecond: number;
  seconds: number;
  records: readonly IntervalRecord[];
}

export interface HypothesisVerdict {
  hypothesis: string;
  pass: boolean;
  /** Measured over the window, in the metric's unit (ms, a fraction, per second); null when nothing was measured. */
  measured: number | null;
  /** The bound it was held to: the written value, or factor × the baseline's measurement. */
  bound: number | null;
  /** Measured vs expected, and over which seconds: what a failure says. */
  detail: string;
}

/** A measured value in its metric's unit, for people: `412.5ms`, `4.2%`, `12/s`. */
export function formatMetric(expr: Pick<ThresholdExpr, 'metric'>, value: number): string {
  switch (expr.metric.kind) {
    case 'latency':
      return `${Math.round(value * 100) / 100}ms`;
    case 'error-rate':
      return `${Math.round(value * 10_000) / 100}%`;
    case 'rps':
      return `${Math.round(value * 100) / 100}/s`;
  }
}

/** `window 12s–22s of the load`: where a verdict was measured. */
export function windowSpan(window: Pick<LoadWindow, 'fromSecond' | 'seconds'>): string {
  return `window ${window.fromSecond}s–${window.fromSecond + window.seconds}s of the load`;
}

/** What `expr`'s metric measured over a window (the comparison is not looked at). */
function measureOver(expr: ThresholdExpr, window: LoadWindow, scopes: Scopes): number | null {
  return evaluateThresholds([expr], window.records, window.seconds, scopes)[0]?.value ?? null;
}

/**
 * A phase's text hypotheses over its window. Relative ones are held to factor × what the same
 * metric measured over the baseline window; with no baseline measurement they fail (nothing to
 * compare with proves nothing).
 */
export function judgeHypotheses(hypotheses: readonly TextHypothesis[], window: LoadWindow, scopes: Scopes, baseline?: LoadWindow): HypothesisVerdict[] {
  return hypotheses.map((hypothesis): HypothesisVerdict => {
    if (hypothesis.kind === 'absolute') {
      const [result] = evaluateThresholds([hypothesis.expr], window.records, window.seconds, scopes);
      const measured = result?.value ?? null;
      const pass = result?.pass ?? false;
      const detail = measured === null ? `nothing measured (${windowSpan(window)})` : `${formatMetric(hypothesis.expr, measured)} ${pass ? 'within' : 'breaks'} ${hypothesis.expr.op}${formatMetric(hypothesis.expr, hypothesis.expr.value)} (${windowSpan(window)})`;
      return { hypothesis: hypothesis.expr.text, pass, measured, bound: hypothesis.expr.value, detail };
    }
    const expr: ThresholdExpr = { text: hypothesis.text, scope: hypothesis.scope, metric: hypothesis.metric, op: hypothesis.op, value: 0, forMs: undefined };
    const reference = baseline === undefined ? null : measureOver(expr, baseline, scopes);
    if (reference === null) return { hypothesis: hypothesis.text, pass: false, measured: null, bound: null, detail: 'the baseline measured nothing to compare with' };
    const bound = hypothesis.factor * reference;
    const [result] = evaluateThresholds([{ ...expr, value: bound }], window.records, window.seconds, scopes);
    const measured = result?.value ?? null;
    const pass = result?.pass ?? false;
    const against = `${hypothesis.op}${hypothesis.factor} × baseline ${formatMetric(expr, reference)} = ${formatMetric(expr, bound)}`;
    const detail = measured === null ? `nothing measured (${windowSpan(window)})` : `${formatMetric(expr, measured)} ${pass ? 'within' : 'breaks'} ${against} (${windowSpan(window)})`;
    return { hypothesis: hypothesis.text, pass, measured, bound, detail };
  });
}
