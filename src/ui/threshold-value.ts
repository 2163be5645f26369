import { parseThresholdExpr } from '../scenarios/threshold-expr.js';
import { formatMs, formatPercent, formatQuantity } from './format.js';

/**
 * A threshold's measured value in its expression's unit (ms, a fraction, per second): `312ms`,
 * `0.4%`, `98.5/s`; `no data` when nothing was measured.
 */
export function formatThresholdValue(expr: string, value: number | null): string {
  if (value === null) return 'no data';
  const parsed = parseThresholdExpr(expr);
  if ('error' in parsed) return formatQuantity(value);
  switch (parsed.metric.kind) {
    case 'latency':
      return formatMs(value);
    case 'error-rate':
      return formatPercent(value);
    case 'rps':
      return `${formatQuantity(value)}/s`;
  }
}
