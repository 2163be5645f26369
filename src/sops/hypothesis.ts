import { parseThresholdExpr, type Comparison, type ThresholdExpr, type ThresholdMetric } from '../scenarios/threshold-expr.js';

/**
 * A phase hypothesis written as text: absolute like a threshold (`room-info.p99<250ms`,
 * `errors.rate<1%`) or relative to the baseline phase (`room-info.p99<=1.2*baseline`).
 */
export type TextHypothesis =
  | { kind: 'absolute'; expr: ThresholdExpr }
  | { kind: 'relative'; text: string; scope: string | undefined; metric: ThresholdMetric; op: Comparison; factor: number };

const RELATIVE = /^\s*([A-Za-z0-9_.-]+?)\s*(<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)?)\s*\*\s*baseline\s*$/;

export function parseHypothesis(text: string): TextHypothesis | { error: string } {
  const relative = RELATIVE.exec(text);
  if (relative === null) {
    if (/baseline/.test(text)) return { error: `expected "<metric> <op> <factor>*baseline" like "room-info.p99<=1.2*baseline", got ${JSON.stringify(text)}` };
    const expr = parseThresholdExpr(text);
    if ('error' in expr) return expr;
    if (expr.forMs !== undefined) return { error: `"for" belongs to abort conditions; a hypothesis holds over its phase's window: ${JSON.stringify(text)}` };
    return { kind: 'absolute', expr };
  }
  const [, metricName = '', op = '<', factorText = ''] = relative;
  // The metric name is checked by the threshold grammar, with a stand-in value.
  const probe = parseThresholdExpr(`${metricName}${op}1`);
  if ('error' in probe) return probe;
  const factor = Number(factorText);
  if (!(factor > 0)) return { error: `the factor of the baseline must be above 0, got ${factorText}` };
  return { kind: 'relative', text, scope: probe.scope, metric: probe.metric, op: probe.op, factor };
}
