import { decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { newLatencyHistogram } from './histograms.js';
import type { ErrorKind, RequestOutcome } from './request-outcome.js';

/** One second of one endpoint: a line of `intervals.ndjson`. */
export interface IntervalRecord {
  /** Whole seconds since the run started; the interval is [second, second + 1). */
  second: number;
  endpoint: string;
  /** Requests that finished in this second. */
  count: number;
  /** Responses by status class (`2xx` …), and `none` for requests that got no response. */
  statuses: Record<string, number>;
  errors: Partial<Record<ErrorKind, number>>;
  /** Latency from intended send to end, µs, as an HDR histogram in compressed base64: responses and timeouts only. */
  latency_us: string;
}


interface Open {
  count: number;
  statuses: Record<string, number>;
  errors: Partial<Record<ErrorKind, number>>;
  histogram: Histogram;
}

/**
 * Sorts finished requests into per-second, per-endpoint intervals, by the second they finished
 * in. A second is handed out once the run clock has passed it, so each line is written once.
 */
export class IntervalRecorder {
  readonly #open = new Map<number, Map<string, Open>>();

  record(outcome: RequestOutcome): void {
    const second = Math.max(0, Math.floor(outcome.finishedAt / 1000));
    let endpoints = this.#open.get(second);
    if (endpoints === undefined) {
      endpoints = new Map();
      this.#open.set(second, endpoints);
    }
    let open = endpoints.get(outcome.endpoint);
    if (open === undefined) {
      open = { count: 0, statuses: {}, errors: {}, histogram: newLatencyHistogram() };
      endpoints.set(outcome.endpoint, open);
    }
    open.count += 1;
    const status = outcome.status === undefined ? 'none' : `${Math.floor(outcome.status / 100)}xx`;
    open.statuses[status] = (open.statuses[status] ?? 0) + 1;
    if (outcome.error !== undefined) open.errors[outcome.error] = (open.errors[outcome.error] ?? 0) + 1;
    // A refused or reset connection has no latency worth the name; counting its microseconds would
    // pull the percentiles down exactly when the target is failing. A timeout counts (as a lower bound).
    if (outcome.status !== undefined || outcome.error === 'timeout') {
      open.histogram.recordValue(Math.max(1, Math.round((outcome.finishedAt - outcome.intendedAt) * 1000)));
    }
  }

  /** The intervals of every second before `now` (run clock, ms), oldest first; all of them when `now` is omitted. */
  flush(now = Number.POSITIVE_INFINITY): IntervalRecord[] {
    const done = [...this.#open.keys()].filter((second) => (second + 1) * 1000 <= now).sort((a, b) => a - b);
    const records: IntervalRecord[] = [];
    for (const second of done) {
      for (const [endpoint, open] of this.#open.get(second) ?? []) {
        records.push({ second, endpoint, count: open.count, statuses: open.statuses, errors: open.errors, latency_us: encodeIntoCompressedBase64(open.histogram) });
      }
      this.#open.delete(second);
    }
    return records;
  }
}

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  min: number;
  mean: number;
  max: number;
}

/** Merges intervals (any window, any endpoints) into one latency summary, in ms. */
export function summariseLatency(records: readonly IntervalRecord[]): LatencySummary {
  const merged = newLatencyHistogram();
  for (const record of records) merged.add(decodeFromCompressedBase64(record.latency_us));
  const ms = (percentile: number): number => merged.getValueAtPercentile(percentile) / 1000;
  const empty = merged.totalCount === 0;
  return {
    count: merged.totalCount,
    p50: ms(50),
    p75: ms(75),
    p90: ms(90),
    p95: ms(95),
    p99: ms(99),
    p999: ms(99.9),
    min: empty ? 0 : merged.minNonZeroValue / 1000,
    mean: empty ? 0 : merged.mean / 1000,
    max: merged.maxValue / 1000,
  };
}
