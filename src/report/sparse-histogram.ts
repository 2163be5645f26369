import { inflateSync } from 'node:zlib';

/**
 * HDR histograms of `intervals.ndjson` (compressed base64, V2 encoding) read as sparse lists of
 * (bucket index, count). hdr-histogram-js allocates and walks every one of ~23,000 buckets per
 * decode, which puts a one-hour, 20-endpoint report (72,000 histograms) past 5 s; a second's
 * histogram holds a few hundred non-empty buckets, and reading only those is ~10× faster.
 * Percentiles are the library's to the microsecond (a test holds them together).
 */

const COMPRESSED_COOKIE_BASE = 0x1c849304;
const ENCODING_COOKIE_BASE = 0x1c849303;

/** Bucket index ↔ value, from the histogram's own header (its lowest unit and significant digits). */
export interface BucketLayout {
  /** `<lowest>/<digits>`: layouts are shared objects, and one that crossed a thread is found again by it. */
  key: string;
  unitMagnitude: number;
  subBucketHalfCountMagnitude: number;
  subBucketHalfCount: number;
}

export interface SparseHistogram {
  layout: BucketLayout;
  /** Non-empty bucket indices, ascending, and their counts. */
  indices: Int32Array;
  counts: Float64Array;
  total: number;
}

const layouts = new Map<string, BucketLayout>();

function layoutOf(lowest: number, digits: number): BucketLayout {
  const key = `${lowest}/${digits}`;
  let layout = layouts.get(key);
  if (layout === undefined) {
    const subBucketCountMagnitude = Math.ceil(Math.log2(2 * 10 ** digits));
    layout = { key, unitMagnitude: Math.floor(Math.log2(lowest)), subBucketHalfCountMagnitude: subBucketCountMagnitude - 1, subBucketHalfCount: 2 ** (subBucketCountMagnitude - 1) };
    layouts.set(key, layout);
  }
  return layout;
}

/** The shared layout object of a layout that came from another thread (a structured clone). */
export function internLayout(layout: BucketLayout): BucketLayout {
  const known = layouts.get(layout.key);
  if (known !== undefined) return known;
  layouts.set(layout.key, layout);
  return layout;
}

/** The lowest value a bucket holds, and how wide it is. */
function bucketRange(layout: BucketLayout, index: number): { low: number; width: number } {
  let bucket = (index >> layout.subBucketHalfCountMagnitude) - 1;
  let sub = (index & (layout.subBucketHalfCount - 1)) + layout.subBucketHalfCount;
  if (bucket < 0) {
    sub -= layout.subBucketHalfCount;
    bucket = 0;
  }
  const width = 2 ** (bucket + layout.unitMagnitude);
  return { low: sub * width, width };
}

function readInt64(view: DataView, offset: number): number {
  return view.getUint32(offset) * 2 ** 32 + view.getUint32(offset + 4);
}

/** Decodes one `latency_us` value; throws a RangeError on anything that is not a V2 HDR histogram. */
export function decodeSparse(base64: string): SparseHistogram {
  const outer = Buffer.from(base64, 'base64');
  if (outer.length < 8 || (outer.readInt32BE(0) & ~0xf0) !== COMPRESSED_COOKIE_BASE) throw new RangeError('not a compressed HDR histogram (V2)');
  const inner = inflateSync(outer.subarray(8, 8 + outer.readInt32BE(4)));
  const view = new DataView(inner.buffer, inner.byteOffset, inner.byteLength);
  if (inner.length < 40 || (view.getInt32(0) & ~0xf0) !== ENCODING_COOKIE_BASE) throw new RangeError('not an HDR histogram (V2 encoding)');
  const payloadLength = view.getInt32(4);
  const layout = layoutOf(readInt64(view, 16), view.getInt32(12));
  const end = Math.min(inner.length, 40 + payloadLength);
  // At most one entry per payload byte: allocate once, trim at the end.
  const indices = new Int32Array(payloadLength);
  const counts = new Float64Array(payloadLength);
  let n = 0;
  let total = 0;
  let index = 0;
  let at = 40;
  while (at < end) {
    // ZigZag LEB128, up to 9 bytes (the 9th carries 8 bits); values stay below 2^53 here.
    let byte = inner[at++] ?? 0;
    let value = byte & 0x7f;
    let scale = 128;
    for (let k = 1; byte & 0x80 && k < 9; k += 1) {
      byte = inner[at++] ?? 0;
      value += (k === 8 ? byte : byte & 0x7f) * scale;
      scale *= 128;
    }
    const decoded = value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    if (decoded < 0) {
      index += -decoded;
      continue;
    }
    if (decoded > 0) {
      indices[n] = index;
      counts[n] = decoded;
      n += 1;
      total += decoded;
    }
    index += 1;
  }
  return { layout, indices: indices.subarray(0, n), counts: counts.subarray(0, n), total };
}

/** The count a percentile must reach, rounded as hdr-histogram-js rounds it (up, but not by a float's last bit). */
function countAt(percentile: number, total: number): number {
  const fp = (Math.min(percentile, 100) / 100) * total;
  const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
  return Math.max(Math.ceil(fp - ulp), 1);
}

/** The value reported for a bucket: its highest value (its lowest for the 0th percentile). */
function reported(layout: BucketLayout, index: number, percentile: number): number {
  const { low, width } = bucketRange(layout, index);
  return percentile === 0 ? low : low + width - 1;
}

/**
 * Counts merged from many sparse histograms of one layout, dense: adding is one typed-array
 * loop over the sparse entries, and reads walk only the range between the lowest and highest
 * bucket seen. For whole-run totals; a chart bucket uses `percentilesOfMany`.
 */
export class MergedHistogram {
  #counts = new Float64Array(0);
  #layout: BucketLayout | undefined;
  #total = 0;
  #low = Number.POSITIVE_INFINITY;
  #high = -1;

  get total(): number {
    return this.#total;
  }

  #grow(index: number): void {
    if (index < this.#counts.length) return;
    const grown = new Float64Array(Math.max(index + 1, this.#counts.length * 2, 1024));
    grown.set(this.#counts);
    this.#counts = grown;
  }

  add(histogram: SparseHistogram): void {
    const n = histogram.indices.length;
    if (n === 0) return;
    this.#layout ??= histogram.layout;
    if (histogram.layout !== this.#layout) throw new RangeError('histograms of different precision cannot be merged');
    this.#grow(histogram.indices[n - 1] ?? 0);
    const counts = this.#counts;
    for (let i = 0; i < n; i += 1) {
      const index = histogram.indices[i] ?? 0;
      counts[index] = (counts[index] ?? 0) + (histogram.counts[i] ?? 0);
    }
    this.#low = Math.min(this.#low, histogram.indices[0] ?? 0);
    this.#high = Math.max(this.#high, histogram.indices[n - 1] ?? 0);
    this.#total += histogram.total;
  }

  addMerged(other: MergedHistogram): void {
    if (other.#total === 0) return;
    this.#layout ??= other.#layout;
    this.#grow(other.#high);
    for (let index = other.#low; index <= other.#high; index += 1) this.#counts[index] = (this.#counts[index] ?? 0) + (other.#counts[index] ?? 0);
    this.#low = Math.min(this.#low, other.#low);
    this.#high = Math.max(this.#high, other.#high);
    this.#total += other.#total;
  }

  /** The value at a percentile (0–100), as hdr-histogram-js computes it: the highest value of the bucket that reaches it. */
  valueAt(percentile: number): number {
    const layout = this.#layout;
    if (layout === undefined || this.#total === 0) return 0;
    const wanted = countAt(percentile, this.#total);
    let seen = 0;
    for (let index = this.#low; index <= this.#high; index += 1) {
      seen += this.#counts[index] ?? 0;
      if (seen >= wanted) return reported(layout, index, percentile);
    }
    return 0;
  }

  /** The counts between the lowest and highest bucket, to send to another thread. */
  snapshot(): HistogramSnapshot {
    return { layout: this.#layout, low: this.#low, high: this.#high, total: this.#total, counts: this.#counts.slice(Math.max(0, this.#low), this.#high + 1) };
  }

  static fromSnapshot(snapshot: HistogramSnapshot): MergedHistogram {
    const merged = new MergedHistogram();
    if (snapshot.layout === undefined || snapshot.total === 0) return merged;
    merged.#layout = internLayout(snapshot.layout);
    merged.#grow(snapshot.high);
    merged.#counts.set(snapshot.counts, snapshot.low);
    merged.#low = snapshot.low;
    merged.#high = snapshot.high;
    merged.#total = snapshot.total;
    return merged;
  }

  /** Lowest and highest recorded values, and the mean of bucket midpoints (hdr-histogram-js's min, max and mean). */
  extremes(): { min: number; max: number; mean: number } {
    const layout = this.#layout;
    if (layout === undefined || this.#total === 0) return { min: 0, max: 0, mean: 0 };
    let sum = 0;
    for (let index = this.#low; index <= this.#high; index += 1) {
      const count = this.#counts[index] ?? 0;
      if (count === 0) continue;
      const { low, width } = bucketRange(layout, index);
      sum += (low + Math.floor(width / 2)) * count;
    }
    const top = bucketRange(layout, this.#high);
    return { min: bucketRange(layout, this.#low).low, max: top.low + top.width - 1, mean: sum / this.#total };
  }
}

export interface HistogramSnapshot {
  layout: BucketLayout | undefined;
  low: number;
  high: number;
  total: number;
  counts: Float64Array;
}

let scratch = new Float64Array(0);

/** Adds histograms into the shared scratch array; the range touched and the total, or undefined when empty. */
function accumulate(histograms: readonly SparseHistogram[]): { layout: BucketLayout; low: number; high: number; total: number } | undefined {
  const layout = histograms.find((histogram) => histogram.total > 0)?.layout;
  if (layout === undefined) return undefined;
  let total = 0;
  let low = Number.POSITIVE_INFINITY;
  let high = -1;
  for (const histogram of histograms) {
    const n = histogram.indices.length;
    if (n === 0) continue;
    const top = histogram.indices[n - 1] ?? 0;
    if (top >= scratch.length) {
      const grown = new Float64Array(Math.max(top + 1, scratch.length * 2, 1024));
      grown.set(scratch);
      scratch = grown;
    }
    for (let i = 0; i < n; i += 1) {
      const index = histogram.indices[i] ?? 0;
      scratch[index] = (scratch[index] ?? 0) + (histogram.counts[i] ?? 0);
    }
    low = Math.min(low, histogram.indices[0] ?? 0);
    high = Math.max(high, top);
    total += histogram.total;
  }
  return { layout, low, high, total };
}

/** Several sparse histograms as one (a chart bucket's endpoints, to send to another thread); null when empty. */
export function mergeSparse(histograms: readonly SparseHistogram[]): SparseHistogram | null {
  const range = accumulate(histograms);
  if (range === undefined) return null;
  const indices: number[] = [];
  const counts: number[] = [];
  for (let index = range.low; index <= range.high; index += 1) {
    const count = scratch[index] ?? 0;
    if (count === 0) continue;
    indices.push(index);
    counts.push(count);
  }
  scratch.fill(0, range.low, range.high + 1);
  return { layout: range.layout, indices: Int32Array.from(indices), counts: Float64Array.from(counts), total: range.total };
}

/**
 * Percentiles (ascending) of several sparse histograms merged, without keeping the merge: the
 * counts go into one shared scratch array, read and cleared over the range they touched. A
 * chart bucket of one endpoint costs what its histograms hold. Null when empty.
 */
export function percentilesOfMany(histograms: readonly SparseHistogram[], percentiles: readonly number[]): Array<number | null> {
  const range = accumulate(histograms);
  if (range === undefined) return percentiles.map(() => null);
  const { layout, low, high, total } = range;
  const values: Array<number | null> = [];
  let seen = 0;
  let index = low;
  for (const percentile of percentiles) {
    const wanted = countAt(percentile, total);
    while (index < high && seen + (scratch[index] ?? 0) < wanted) seen += scratch[index++] ?? 0;
    values.push(reported(layout, index, percentile));
  }
  scratch.fill(0, low, high + 1);
  return values;
}
