import { parseDuration, parseNumberText } from './unit-text.js';

/**
 * Threshold and abort expressions, one grammar for scenario files and `--threshold`/`--abort` flags:
 * `[scope.]metric <op> value[unit] [for duration]`, e.g. `room-info.p99<200ms`, `errors.rate>5% for 10s`.
 * The scope is an endpoint (step) or journey name; no scope means the whole run.
 */

const LATENCY_STATS = ['p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'min', 'mean', 'max'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

export type ThresholdMetric = { kind: 'latency'; stat: LatencyStat } | { kind: 'error-rate' } | { kind: 'rps' };
export type Comparison = '<' | '<=' | '>' | '>=';

export interface ThresholdExpr {
  text: string;
  scope: string | undefined;
  metric: ThresholdMetric;
  op: Comparison;
  /** Milliseconds for latency, a fraction (0–1) for error rates, per second for rps. */
  value: number;
  /** For abort conditions: how long the condition must hold. */
  forMs: number | undefined;
}

const EXPRESSION = /^\s*([A-Za-z0-9_.-]+?)\s*(<=|>=|<|>)\s*([0-9][0-9_.]*(?:[eE][+-]?\d+)?)\s*(ms|s|%|\/s)?\s*(?:for\s+(\S+))?\s*$/;

function parseMetric(name: string): { scope: string | undefined; metric: ThresholdMetric } | undefined {
  const errorRate = /^(?:(.+)\.)?errors\.rate$/.exec(name);
  if (errorRate !== null) return { scope: errorRate[1], metric: { kind: 'error-rate' } };
  const dot = name.lastIndexOf('.');
  const scope = dot === -1 ? undefined : name.slice(0, dot);
  const last = name.slice(dot + 1);
  if (last === 'rps') return { scope, metric: { kind: 'rps' } };
  const stat = LATENCY_STATS.find((candidate) => candidate === last);
  return stat === undefined ? undefined : { scope, metric: { kind: 'latency', stat } };
}

function scaleValue(metric: ThresholdMetric, amount: number, unit: string | undefined): number | string {
  switch (metric.kind) {
    case 'latency':
      if (unit === undefined || unit === 'ms') return amount;
      if (unit === 's') return amount * 1000;
      return `a latency takes ms or s, not "${unit}"`;
    case 'error-rate':
      if (unit === '%') return amount / 100;
      if (unit === undefined && amount <= 1) return amount;
      return unit === undefined ? 'an error rate is a fraction (0.01) or a percentage (1%)' : `an error rate takes %, not "${unit}"`;
    case 'rps':
      if (unit === undefined || unit === '/s') return amount;
      return `rps takes /s, not "${unit}"`;
  }
}

export function parseThresholdExpr(text: string): ThresholdExpr | { error: string } {
  const match = EXPRESSION.exec(text);
  if (match === null) {
    return { error: `expected "[scope.]metric<value" like "room-info.p99<200ms" or "errors.rate>5% for 10s", got "${text}"` };
  }
  const [, name = '', op = '<', amountText = '', unit, forText] = match;
  const parsedMetric = parseMetric(name);
  if (parsedMetric === undefined) {
    return { error: `unknown metric "${name}": use ${LATENCY_STATS.join(', ')}, errors.rate or rps, optionally after an endpoint or journey name` };
  }
  const amount = parseNumberText(amountText);
  if (amount === undefined) return { error: `"${amountText}" is not a number` };
  const value = scaleValue(parsedMetric.metric, amount, unit);
  if (typeof value === 'string') return { error: value };
  let forMs: number | undefined;
  if (forText !== undefined) {
    forMs = parseDuration(forText);
    if (forMs === undefined) return { error: `"for ${forText}": expected a duration like "10s"` };
  }
  // The regex only admits these four operators.
  const comparison: Comparison = op === '<=' || op === '>=' || op === '>' ? op : '<';
  return { text: text.trim(), scope: parsedMetric.scope, metric: parsedMetric.metric, op: comparison, value, forMs };
}

/** Whether a measured value satisfies the expression's comparison (in the expression's unit). */
export function thresholdHolds(value: number, expr: Pick<ThresholdExpr, 'op' | 'value'>): boolean {
  switch (expr.op) {
    case '<':
      return value < expr.value;
    case '<=':
      return value <= expr.value;
    case '>':
      return value > expr.value;
    case '>=':
      return value >= expr.value;
  }
}
