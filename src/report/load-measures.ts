import type { IntervalLine } from './run-directory.js';
import { decodeSparse, MergedHistogram, percentilesOfMany, type SparseHistogram } from './sparse-histogram.js';

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

/** A histogram that would not decode: which run, and which of its interval lines (0-based). */
export class BadIntervalError extends Error {
  constructor(
    readonly run: number,
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

const ms = (us: number): number => Math.round(us) / 1000;

function latencyStats(histogram: MergedHistogram): LatencyStats | null {
  if (histogram.total === 0) return null;
  const { min, mean, max } = histogram.extremes();
  return {
    p50: ms(histogram.valueAt(50)),
    p75: ms(histogram.valueAt(75)),
    p90: ms(histogram.valueAt(90)),
    p95: ms(histogram.valueAt(95)),
    p99: ms(histogram.valueAt(99)),
    p999: ms(histogram.valueAt(99.9)),
    min: ms(min),
    mean: Math.round(mean) / 1000,
    max: ms(max),
  };
}

function errorCount(line: IntervalLine): number {
  let total = 0;
  for (const value of Object.values(line.errors)) total += value;
  return total;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
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

interface Tally {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  error_kinds: Record<string, number>;
  perSecond: Float64Array;
  histogram: MergedHistogram;
}

/**
 * Everything the report shows of a load, from interval lines of one or several runs; each run's
 * lines come with the offset (s) of its second 0 from the group's origin, so agents' seconds line
 * up. Lines are taken in time order, so each chart bucket is read once it is complete and never
 * kept; each histogram is decoded once.
 */
export function measureLoad(runs: ReadonlyArray<{ offset_s: number; intervals: readonly IntervalLine[] }>, lengthS?: number): LoadMeasures {
  const lines = runs.flatMap((run, r) => run.intervals.map((line, index) => ({ at: line.second + run.offset_s, line, r, index })));
  lines.sort((a, b) => a.at - b.at);
  const first = lines[0]?.at ?? 0;
  const last = lines[lines.length - 1]?.at ?? -1;
  const start = Math.min(0, first);
  const seconds = last - start + 1;
  // Responses still arriving after the profile's end fall in a second the load did not fill:
  // rates are over the load's own length, and its last partial second is no peak.
  const length = lengthS !== undefined && lengthS > 0 ? lengthS : seconds;
  const whole = Math.max(1, Math.min(seconds, Math.floor(length) - start));
  const bucketS = Math.max(1, Math.ceil(seconds / MAX_POINTS));
  const buckets = Math.ceil(seconds / bucketS);
  const newTally = (): Tally => ({ requests: 0, errors: 0, statuses: {}, error_kinds: {}, perSecond: new Float64Array(seconds), histogram: new MergedHistogram() });
  const tallies = new Map<string, Tally>();
  const all = newTally();
  const bucketErrors = new Float64Array(buckets);
  const p50 = new Array<number | null>(buckets).fill(null);
  const p99 = new Array<number | null>(buckets).fill(null);
  const endpointP99 = new Map<string, Array<number | null>>();
  let open = -1;
  let layout: SparseHistogram['layout'] | undefined;
  let openAll: SparseHistogram[] = [];
  let openEndpoints = new Map<string, SparseHistogram[]>();
  const close = (): void => {
    if (open < 0) return;
    const [median, tail] = percentilesOfMany(openAll, [50, 99]);
    p50[open] = median === null || median === undefined ? null : ms(median);
    p99[open] = tail === null || tail === undefined ? null : ms(tail);
    for (const [name, histograms] of openEndpoints) {
      const [value] = percentilesOfMany(histograms, [99]);
      const series = endpointP99.get(name);
      if (series !== undefined) series[open] = value === null || value === undefined ? null : ms(value);
    }
    openAll = [];
    openEndpoints = new Map();
  };

  for (const { at: absolute, line, r, index } of lines) {
    const at = absolute - start;
    const bucket = Math.floor(at / bucketS);
    if (bucket !== open) {
      close();
      open = bucket;
    }
    let tally = tallies.get(line.endpoint);
    if (tally === undefined) {
      tally = newTally();
      tallies.set(line.endpoint, tally);
      endpointP99.set(line.endpoint, new Array<number | null>(buckets).fill(null));
    }
    const errors = errorCount(line);
    let histogram: SparseHistogram;
    try {
      histogram = decodeSparse(line.latency_us);
      layout ??= histogram.layout;
      if (histogram.total > 0 && histogram.layout !== layout) throw new RangeError('recorded at another precision than the lines before it');
    } catch (error) {
      throw new BadIntervalError(r, index, `latency_us: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const target of [tally, all]) {
      target.requests += line.count;
      target.errors += errors;
      addCounts(target.statuses, line.statuses);
      addCounts(target.error_kinds, line.errors);
      target.perSecond[at] = (target.perSecond[at] ?? 0) + line.count;
      target.histogram.add(histogram);
    }
    openAll.push(histogram);
    let mine = openEndpoints.get(line.endpoint);
    if (mine === undefined) {
      mine = [];
      openEndpoints.set(line.endpoint, mine);
    }
    mine.push(histogram);
    bucketErrors[bucket] = (bucketErrors[bucket] ?? 0) + errors;
  }
  close();

  const measure = (name: string, tally: Tally): EndpointMeasure => ({
    name,
    requests: tally.requests,
    errors: tally.errors,
    error_rate: tally.requests > 0 ? tally.errors / tally.requests : 0,
    statuses: tally.statuses,
    error_kinds: tally.error_kinds,
    rate_mean: length > 0 ? tally.requests / length : 0,
    rate_peak: busiestWindow(tally.perSecond.subarray(0, whole), PEAK_WINDOW_S),
    rate_sustained: busiestWindow(tally.perSecond.subarray(0, whole), SUSTAINED_WINDOW_S),
    latency_ms: latencyStats(tally.histogram),
  });
  const widthOf = (bucket: number): number => Math.min(bucketS, seconds - bucket * bucketS);
  const sumOver = (values: Float64Array, bucket: number): number => {
    let sum = 0;
    for (let s = bucket * bucketS; s < bucket * bucketS + widthOf(bucket); s += 1) sum += values[s] ?? 0;
    return sum;
  };
  const indices = Array.from({ length: buckets }, (_, bucket) => bucket);
  return {
    seconds: Math.max(0, seconds),
    endpoints: [...tallies].map(([name, tally]) => measure(name, tally)),
    all: measure('all', all),
    series: {
      bucket_s: bucketS,
      start_s: indices.map((bucket) => start + bucket * bucketS),
      rate: indices.map((bucket) => sumOver(all.perSecond, bucket) / widthOf(bucket)),
      errors: indices.map((bucket) => (bucketErrors[bucket] ?? 0) / widthOf(bucket)),
      p50,
      p99,
      endpoint_p99: Object.fromEntries(endpointP99),
    },
    histograms: new Map([...tallies].map(([name, tally]) => [name, tally.histogram])),
  };
}
