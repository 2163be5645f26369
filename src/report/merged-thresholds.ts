import { parseThresholdExpr, thresholdHolds, type ThresholdExpr } from '../scenarios/threshold-expr.js';
import type { LoadMeasures } from './load-measures.js';
import type { RecordedThreshold } from './run-files.js';
import { MergedHistogram } from './sparse-histogram.js';

/**
 * Thresholds over several agents' runs merged: each agent judged only its share (k6-operator's
 * gap), so the merged value is recomputed from the merged intervals. What intervals cannot
 * show (the generator's own lag) passes only when it passed on every agent.
 */

function scopeEndpoints(expr: ThresholdExpr, measures: LoadMeasures, journeys: Readonly<Record<string, readonly string[]>>): string[] {
  if (expr.scope === undefined) return [...measures.histograms.keys()];
  return [...(journeys[expr.scope] ?? [expr.scope])];
}

function measured(expr: ThresholdExpr, measures: LoadMeasures, journeys: Readonly<Record<string, readonly string[]>>): number | null {
  const names = new Set(scopeEndpoints(expr, measures, journeys));
  const covered = measures.endpoints.filter((endpoint) => names.has(endpoint.name));
  const requests = covered.reduce((sum, endpoint) => sum + endpoint.requests, 0);
  switch (expr.metric.kind) {
    case 'rps':
      return measures.seconds > 0 ? requests / measures.seconds : null;
    case 'error-rate':
      return requests === 0 ? null : covered.reduce((sum, endpoint) => sum + endpoint.errors, 0) / requests;
    case 'latency': {
      const merged = new MergedHistogram();
      for (const name of names) {
        const histogram = measures.histograms.get(name);
        if (histogram !== undefined) merged.addMerged(histogram);
      }
      if (merged.total === 0) return null;
      const stat = expr.metric.stat;
      if (stat === 'min' || stat === 'max' || stat === 'mean') return merged.extremes()[stat] / 1000;
      const percentile = stat === 'p999' ? 99.9 : Number(stat.slice(1));
      return merged.valueAt(percentile) / 1000;
    }
  }
}

/** The thresholds every agent recorded, judged again over the merged measures. */
export function mergedThresholds(perRun: ReadonlyArray<readonly RecordedThreshold[]>, measures: LoadMeasures, journeys: Readonly<Record<string, readonly string[]>>): RecordedThreshold[] {
  const texts = [...new Set(perRun.flatMap((thresholds) => thresholds.map((threshold) => threshold.expr)))];
  return texts.map((text) => {
    const parsed = parseThresholdExpr(text);
    const unmeasurable = 'error' in parsed || (parsed.scope !== undefined && journeys[parsed.scope] === undefined && !measures.histograms.has(parsed.scope));
    if (unmeasurable) {
      const all = perRun.flatMap((thresholds) => thresholds.filter((threshold) => threshold.expr === text));
      const values = all.flatMap((threshold) => (threshold.value === null ? [] : [threshold.value]));
      // The worst agent's value: the highest for an upper bound, the lowest for a lower one.
      const worst = text.includes('>') ? Math.min(...values) : Math.max(...values);
      return { expr: text, value: values.length === 0 ? null : worst, pass: all.length > 0 && all.every((threshold) => threshold.pass) };
    }
    const value = measured(parsed, measures, journeys);
    return { expr: text, value, pass: value !== null && thresholdHolds(value, parsed) };
  });
}
