import { Worker } from 'node:worker_threads';
import { BadIntervalError, measurePart, toMs, type MeasureLine, type MeasurePart, type PartParams } from './measure-part.js';
import type { IntervalLine } from './run-directory.js';
import { internLayout, MergedHistogram, percentilesOfMany } from './sparse-histogram.js';

export { BadIntervalError } from './measure-part.js';

/** Latency in ms over some window and endpoints. */
export interface LatencyStats {
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

export interface EndpointMeasure {
  name: string;
  requests: number;
  errors: number;
  error_rate: number;
  /** Responses by status class, and `none`. */
  statuses: Record<string, number>;
  error_kinds: Record<string, number>;
  /** Mean requests per second over the load's length, the busiest 5-second window, and the busiest 30 s (what a load sustained). */
  rate_mean: number;
  rate_peak: number;
  rate_sustained: number;
  latency_ms: LatencyStats | null;
}

/** A chart's data: one value per bucket of `bucket_s` seconds from `start_s` (seconds since the group's origin). */
export interface LoadSeries {
  bucket_s: number;
  start_s: number[];
  /** Requests finished per second (bucket mean). */
  rate: number[];
  /** Failed requests per second (bucket mean). */
  errors: number[];
  /** Latency percentiles over the bucket's merged histograms, ms; null with no latency in it. */
  p50: Array<number | null>;
  p99: Array<number | null>;
  /** p99 per endpoint, same buckets. */
  endpoint_p99: Record<string, Array<number | null>>;
}

export interface LoadMeasures {
  /** Seconds covered: from the first to the last recorded second (+1). */
  seconds: number;
  endpoints: EndpointMeasure[];
  all: EndpointMeasure;
  series: LoadSeries;
  /** Merged latency per endpoint, for thresholds over any scope. */
  histograms: ReadonlyMap<string, MergedHistogram>;
}

/** Charts need no more points than a screen has pixels; an hour at 1 s would be 3,600 per line. */
const MAX_POINTS = 600;
const PEAK_WINDOW_S = 5;
const SUSTAINED_WINDOW_S = 30;
/** Below this many lines a second thread costs more than it saves. */
const THREAD_LINES = 20_000;
const MAIN_SHARE = 0.6;

function latencyStats(histogram: MergedHistogram): LatencyStats | null {
  if (histogram.total === 0) return null;
  const { min, mean, max } = histogram.extremes();
  return {
    p50: toMs(histogram.valueAt(50)),
    p75: toMs(histogram.valueAt(75)),
    p90: toMs(histogram.valueAt(90)),
    p95: toMs(histogram.valueAt(95)),
    p99: toMs(histogram.valueAt(99)),
    p999: toMs(histogram.valueAt(99.9)),
    min: toMs(min),
    mean: Math.round(mean) / 1000,
    max: toMs(max),
  };
}

function busiestWindow(perSecond: Float64Array, window: number): number {
  const width = Math.min(window, perSecond.length);
  if (width === 0) return 0;
  let sum = 0;
  for (let i = 0; i < width; i += 1) sum += perSecond[i] ?? 0;
  let best = sum;
  for (let i = width; i < perSecond.length; i += 1) {
    sum += (perSecond[i] ?? 0) - (perSecond[i - width] ?? 0);
    best = Math.max(best, sum);
  }
  return best / width;
}

/** The other half of the endpoints, measured on a worker thread (from TypeScript sources, the built one). */
function measureOnThread(lines: readonly MeasureLine[], params: PartParams): Promise<MeasurePart> {
  const entry = new URL(import.meta.url.endsWith('.ts') ? '../../dist/report/measure-thread.js' : './measure-thread.js', import.meta.url);
  return new Promise((resolve, reject) => {
    const thread = new Worker(entry, { workerData: { lines, params } });
    thread.once('message', (message: { part?: MeasurePart; bad?: { run: number; index: number; message: string }; failed?: string }) => {
      void thread.terminate();
      if (message.part !== undefined) resolve(message.part);
      else if (message.bad !== undefined) reject(new BadIntervalError(message.bad.run, message.bad.index, message.bad.message));
      else reject(new Error(`report: the measuring thread failed: ${message.failed ?? 'no answer'}`));
    });
    thread.once('error', reject);
  });
}

/**
 * Endpoints in two groups by line count: the main thread also reads, renders and writes, so the
 * thread takes the larger share.
 */
function halves(lines: readonly MeasureLine[]): [MeasureLine[], MeasureLine[]] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line.endpoint, (counts.get(line.endpoint) ?? 0) + 1);
  const mine = new Set<string>();
  let taken = 0;
  for (const [endpoint, count] of [...counts].sort((a, b) => b[1] - a[1])) {
    if (taken + count <= lines.length * MAIN_SHARE || mine.size === 0) {
      mine.add(endpoint);
      taken += count;
    }
  }
  return [lines.filter((line) => mine.has(line.endpoint)), lines.filter((line) => !mine.has(line.endpoint))];
}

/**
 * Everything the report shows of a load, from interval lines of one or several runs; each run's
 * lines come with the offset (s) of its second 0 from the group's origin, so agents' seconds line
 * up. A long load is measured in two halves by endpoint, one on a worker thread.
 */
export async function measureLoad(runs: ReadonlyArray<{ offset_s: number; intervals: readonly IntervalLine[] }>, lengthS?: number, threadFrom = THREAD_LINES): Promise<LoadMeasures> {
  const lines: MeasureLine[] = [];
  runs.forEach((run, r) => {
    run.intervals.forEach((line, index) => {
      lines.push({ at: line.second + run.offset_s, endpoint: line.endpoint, count: line.count, statuses: line.statuses, errors: line.errors, latency_us: line.latency_us, run: r, index });
    });
  });
  lines.sort((a, b) => a.at - b.at);
  const first = lines[0]?.at ?? 0;
  const last = lines[lines.length - 1]?.at ?? -1;
  const start = Math.min(0, first);
  const seconds = Math.max(0, last - start + 1);
  const bucketS = Math.max(1, Math.ceil(seconds / MAX_POINTS));
  const params: PartParams = { start, seconds, bucketS, buckets: Math.ceil(seconds / bucketS) };
  let parts: MeasurePart[];
  if (lines.length < threadFrom) parts = [measurePart(lines, params)];
  else {
    const [mine, theirs] = halves(lines);
    const other = measureOnThread(theirs, params);
    // If this half throws, the thread's answer is not waited for, and its rejection must not go unhandled.
    other.catch(() => undefined);
    parts = [measurePart(mine, params), await other];
  }
  return combineParts(parts, params, lengthS);
}

/** The parts of a load (disjoint endpoints) as one: totals, the "all" line, the chart series. */
function combineParts(parts: readonly MeasurePart[], params: PartParams, lengthS: number | undefined): LoadMeasures {
  const { seconds, bucketS, buckets, start } = params;
  // Responses still arriving after the profile's end fall in a second the load did not fill:
  // rates are over the load's own length, and its last partial second is no peak.
  const length = lengthS !== undefined && lengthS > 0 ? lengthS : seconds;
  const whole = Math.max(1, Math.min(seconds, Math.floor(length) - start));
  const measure = (name: string, tally: { requests: number; errors: number; statuses: Record<string, number>; error_kinds: Record<string, number>; perSecond: Float64Array }, histogram: MergedHistogram): EndpointMeasure => ({
    name,
    requests: tally.requests,
    errors: tally.errors,
    error_rate: tally.requests > 0 ? tally.errors / tally.requests : 0,
    statuses: tally.statuses,
    error_kinds: tally.error_kinds,
    rate_mean: length > 0 ? tally.requests / length : 0,
    rate_peak: busiestWindow(tally.perSecond.subarray(0, whole), PEAK_WINDOW_S),
    rate_sustained: busiestWindow(tally.perSecond.subarray(0, whole), SUSTAINED_WINDOW_S),
    latency_ms: latencyStats(histogram),
  });
  const endpoints = parts.flatMap((part) => part.endpoints);
  const histograms = new Map(endpoints.map((endpoint) => [endpoint.name, MergedHistogram.fromSnapshot(endpoint.histogram)]));
  const statuses: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  const total = { requests: 0, errors: 0, statuses, error_kinds: errorKinds, perSecond: new Float64Array(seconds) };
  const allHistogram = new MergedHistogram();
  for (const endpoint of endpoints) {
    total.requests += endpoint.requests;
    total.errors += endpoint.errors;
    for (const [key, value] of Object.entries(endpoint.statuses)) total.statuses[key] = (total.statuses[key] ?? 0) + value;
    for (const [key, value] of Object.entries(endpoint.error_kinds)) total.error_kinds[key] = (total.error_kinds[key] ?? 0) + value;
    for (let s = 0; s < seconds; s += 1) total.perSecond[s] = (total.perSecond[s] ?? 0) + (endpoint.perSecond[s] ?? 0);
    const histogram = histograms.get(endpoint.name);
    if (histogram !== undefined) allHistogram.addMerged(histogram);
  }
  const indices = Array.from({ length: buckets }, (_, bucket) => bucket);
  const widthOf = (bucket: number): number => Math.min(bucketS, seconds - bucket * bucketS);
  const bucketPercentiles = indices.map((bucket) => {
    const pieces = parts.flatMap((part) => {
      const merged = part.buckets[bucket];
      return merged === null || merged === undefined ? [] : [{ ...merged, layout: internLayout(merged.layout) }];
    });
    return percentilesOfMany(pieces, [50, 99]).map((value) => (value === null ? null : toMs(value)));
  });
  return {
    seconds,
    endpoints: endpoints.map((endpoint) => measure(endpoint.name, endpoint, histograms.get(endpoint.name) ?? new MergedHistogram())),
    all: measure('all', total, allHistogram),
    series: {
      bucket_s: bucketS,
      start_s: indices.map((bucket) => start + bucket * bucketS),
      rate: indices.map((bucket) => {
        let sum = 0;
        for (let s = bucket * bucketS; s < bucket * bucketS + widthOf(bucket); s += 1) sum += total.perSecond[s] ?? 0;
        return sum / widthOf(bucket);
      }),
      errors: indices.map((bucket) => parts.reduce((sum, part) => sum + (part.bucketErrors[bucket] ?? 0), 0) / widthOf(bucket)),
      p50: bucketPercentiles.map((values) => values[0] ?? null),
      p99: bucketPercentiles.map((values) => values[1] ?? null),
      endpoint_p99: Object.fromEntries(endpoints.map((endpoint) => [endpoint.name, endpoint.p99])),
    },
    histograms,
  };
}
