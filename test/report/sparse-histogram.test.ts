import fc from 'fast-check';
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { newLatencyHistogram } from '../../src/engine/histograms.js';
import { summariseLatency, type IntervalRecord } from '../../src/engine/latency-intervals.js';
import { decodeSparse, MergedHistogram, percentilesOfMany, type SparseHistogram } from '../../src/report/sparse-histogram.js';

const PERCENTILES = [0, 1, 50, 75, 90, 95, 99, 99.9, 100];

function encoded(values: readonly number[]): string {
  const histogram = newLatencyHistogram();
  for (const value of values) histogram.recordValue(value);
  return encodeIntoCompressedBase64(histogram);
}

// Latencies in µs as a run records them: mostly ms-scale, a tail up to minutes, and repeats.
const latencies = fc.array(fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 120_000_000 }), fc.constant(250_000)), { minLength: 0, maxLength: 400 });

describe('sparse HDR histograms', () => {
  it('give the percentiles, min, max and mean hdr-histogram-js gives, for one histogram and for merged ones', () => {
    fc.assert(
      fc.property(fc.array(latencies, { minLength: 1, maxLength: 6 }), (groups) => {
        const reference = newLatencyHistogram();
        const merged = new MergedHistogram();
        const sparses: SparseHistogram[] = [];
        for (const values of groups) {
          const text = encoded(values);
          reference.add(decodeFromCompressedBase64(text));
          const sparse = decodeSparse(text);
          expect(sparse.total).toBe(values.length);
          merged.add(sparse);
          sparses.push(sparse);
        }
        expect(merged.total).toBe(reference.totalCount);
        const many = percentilesOfMany(sparses, PERCENTILES);
        PERCENTILES.forEach((percentile, i) => {
          expect(merged.valueAt(percentile)).toBe(reference.getValueAtPercentile(percentile));
          expect(many[i]).toBe(reference.totalCount === 0 ? null : reference.getValueAtPercentile(percentile));
        });
        if (reference.totalCount > 0) {
          const { min, max, mean } = merged.extremes();
          expect(min).toBe(reference.minNonZeroValue);
          expect(max).toBe(reference.maxValue);
          expect(mean).toBeCloseTo(reference.mean, 6);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('agree with the run summary over intervals (summariseLatency), merged in any grouping', () => {
    const records: IntervalRecord[] = [[1200, 3400, 99_000], [5, 6, 7, 8], [10_000_000]].map((values, second) => ({ second, endpoint: 'e', count: values.length, statuses: {}, errors: {}, latency_us: encoded(values) }));
    const summary = summariseLatency(records);
    const halves = [new MergedHistogram(), new MergedHistogram()];
    records.forEach((record, i) => halves[i % 2]?.add(decodeSparse(record.latency_us)));
    const all = new MergedHistogram();
    for (const half of halves) all.addMerged(half);
    expect(all.valueAt(99) / 1000).toBe(summary.p99);
    expect(all.valueAt(50) / 1000).toBe(summary.p50);
    expect(all.extremes().max / 1000).toBe(summary.max);
  });

  it('refuses what is not an HDR histogram', () => {
    expect(() => decodeSparse('aGVsbG8gd29ybGQ=')).toThrow(RangeError);
    expect(() => decodeSparse('')).toThrow(RangeError);
  });
});
