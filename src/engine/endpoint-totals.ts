import { decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { newLatencyHistogram } from './histograms.js';
import type { IntervalRecord } from './latency-intervals.js';
import { ERROR_KINDS, type ErrorKind } from './request-outcome.js';
import type { LatencyMs } from './run-events.js';


/** Counts and a latency histogram, added up over any number of interval records. */
export class Totals {
  count = 0;
  errorCount = 0;
  statuses: Record<string, number> = {};
  errors: Partial<Record<ErrorKind, number>> = {};
  readonly histogram = newLatencyHistogram();

  add(record: IntervalRecord, histogram: Histogram = decodeFromCompressedBase64(record.latency_us)): void {
    this.count += record.count;
    for (const [status, n] of Object.entries(record.statuses)) this.statuses[status] = (this.statuses[status] ?? 0) + n;
    for (const kind of ERROR_KINDS) {
      const n = record.errors[kind];
      if (n === undefined) continue;
      this.errorCount += n;
      this.errors[kind] = (this.errors[kind] ?? 0) + n;
    }
    this.histogram.add(histogram);
  }

  get responses(): number {
    return this.count - (this.statuses['none'] ?? 0);
  }

  latency(): LatencyMs {
    return latencyOf(this.histogram);
  }

  /** As one interval record (for threshold evaluation over the totals). */
  asRecord(endpoint: string): IntervalRecord {
    return { second: 0, endpoint, count: this.count, statuses: this.statuses, errors: this.errors, latency_us: encodeIntoCompressedBase64(this.histogram) };
  }
}

export function latencyOf(histogram: Histogram): LatencyMs {
  const ms = (percentile: number): number => Math.round(histogram.getValueAtPercentile(percentile)) / 1000;
  return { p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9), max: Math.round(histogram.maxValue) / 1000 };
}

/** Records of the same second and endpoint (from several workers) merged into one. */
export function mergeRecords(records: readonly IntervalRecord[]): IntervalRecord[] {
  const byEndpoint = new Map<string, IntervalRecord[]>();
  for (const record of records) {
    const list = byEndpoint.get(record.endpoint) ?? [];
    list.push(record);
    byEndpoint.set(record.endpoint, list);
  }
  return [...byEndpoint].map(([endpoint, list]) => {
    const [first] = list;
    if (list.length === 1 && first !== undefined) return first;
    const totals = new Totals();
    for (const record of list) totals.add(record);
    return { ...totals.asRecord(endpoint), second: first?.second ?? 0 };
  });
}
