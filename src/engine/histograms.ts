import { build, type Histogram } from 'hdr-histogram-js';

/** Latency in µs: 3 significant digits (0.1% at every magnitude), from 1 µs to an hour. */
export const newLatencyHistogram = (): Histogram => build({ numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000 });

/** Generator scheduling lag in µs: 1% is plenty for a number read against a bound. */
export const newLagHistogram = (): Histogram => build({ numberOfSignificantValueDigits: 2, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000 });
