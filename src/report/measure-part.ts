import type { IntervalLine } from './run-directory.js';
import { decodeSparse, MergedHistogram, mergeSparse, percentilesOfMany, type HistogramSnapshot, type SparseHistogram } from './sparse-histogram.js';

/** An interval line placed on the load's clock: `at` is seconds since the group's origin. */
export interface MeasureLine extends Omit<IntervalLine, 'second'> {
  at: number;
  /** Which run, and which of its lines (0-based): for a located error. */
  run: number;
  index: number;
}

/** The load's clock and chart buckets, the same for every part. */
export interface PartParams {
  start: number;
  seconds: number;
  bucketS: number;
  buckets: number;
}

export interface EndpointPart {
  name: string;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  error_kinds: Record<string, number>;
  perSecond: Float64Array;
  histogram: HistogramSnapshot;
  p99: Array<number | null>;
}

/** What one thread measured of some endpoints; parts of different endpoints add up to the load. */
export interface MeasurePart {
  endpoints: EndpointPart[];
  /** Per chart bucket, the histograms of these endpoints merged (null: none). */
  buckets: Array<SparseHistogram | null>;
  bucketErrors: Float64Array;
}

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

export const toMs = (us: number): number => Math.round(us) / 1000;

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}

interface Open {
  part: EndpointPart;
  merged: MergedHistogram;
  bucket: SparseHistogram[];
}

/**
 * Measures interval lines (in time order) of some endpoints: each histogram is decoded once and
 * merged into its endpoint's total, its endpoint's chart bucket and the part's chart bucket, and
 * a bucket is read as soon as the clock leaves it, so nothing per second is kept.
 */
export function measurePart(lines: readonly MeasureLine[], params: PartParams): MeasurePart {
  const open = new Map<string, Open>();
  const buckets: Array<SparseHistogram | null> = new Array<SparseHistogram | null>(params.buckets).fill(null);
  const bucketErrors = new Float64Array(params.buckets);
  let current = -1;
  let all: SparseHistogram[] = [];
  let layout: SparseHistogram['layout'] | undefined;
  const close = (): void => {
    if (current < 0) return;
    buckets[current] = mergeSparse(all);
    for (const entry of open.values()) {
      if (entry.bucket.length === 0) continue;
      entry.part.p99[current] = percentilesOfMany(entry.bucket, [99]).map((value) => (value === null ? null : toMs(value)))[0] ?? null;
      entry.bucket = [];
    }
    all = [];
  };
  for (const line of lines) {
    const at = line.at - params.start;
    const bucket = Math.floor(at / params.bucketS);
    if (bucket !== current) {
      close();
      current = bucket;
    }
    let entry = open.get(line.endpoint);
    if (entry === undefined) {
      const part: EndpointPart = { name: line.endpoint, requests: 0, errors: 0, statuses: {}, error_kinds: {}, perSecond: new Float64Array(params.seconds), histogram: { layout: undefined, low: 0, high: -1, total: 0, counts: new Float64Array(0) }, p99: new Array<number | null>(params.buckets).fill(null) };
      entry = { part, merged: new MergedHistogram(), bucket: [] };
      open.set(line.endpoint, entry);
    }
    let histogram: SparseHistogram;
    try {
      histogram = decodeSparse(line.latency_us);
      layout ??= histogram.layout;
      if (histogram.total > 0 && histogram.layout !== layout) throw new RangeError('recorded at another precision than the lines before it');
    } catch (error) {
      throw new BadIntervalError(line.run, line.index, `latency_us: ${error instanceof Error ? error.message : String(error)}`);
    }
    let errors = 0;
    for (const value of Object.values(line.errors)) errors += value;
    const part = entry.part;
    part.requests += line.count;
    part.errors += errors;
    addCounts(part.statuses, line.statuses);
    addCounts(part.error_kinds, line.errors);
    part.perSecond[at] = (part.perSecond[at] ?? 0) + line.count;
    entry.merged.add(histogram);
    entry.bucket.push(histogram);
    all.push(histogram);
    bucketErrors[bucket] = (bucketErrors[bucket] ?? 0) + errors;
  }
  close();
  for (const entry of open.values()) entry.part.histogram = entry.merged.snapshot();
  return { endpoints: [...open.values()].map((entry) => entry.part), buckets, bucketErrors };
}
