import type { LevelSegment } from './load-profile.js';
import { seededRandom } from '../seeded-random.js';

export interface ArrivalScheduleOptions {
  segments: readonly LevelSegment[];
  /** Arrivals per second at level 1. */
  ratePerSecond: number;
  /** `constant`: evenly spaced by the rate; `poisson`: exponential gaps at the rate (time-rescaled). */
  process: 'constant' | 'poisson';
  /** Seeds the Poisson gaps; every worker of a run must use the same seed. */
  seed: number;
  /** This worker's share: arrivals index, index + count, index + 2·count, … of the whole schedule. */
  worker?: { index: number; count: number };
}

/**
 * The open model's arrival times, in ms from the start, for a rate that follows the load profile:
 * λ(t) = ratePerSecond × level(t). The k-th arrival is where the expected count Λ(t) reaches k
 * (constant) or the k-th point of a unit Poisson process (poisson), mapped through Λ⁻¹ — so the
 * count over any span is exact (constant) or Poisson with the right mean, ramps included.
 * Workers take every count-th arrival of the same schedule: together they send exactly it.
 */
export function createArrivalSchedule(options: ArrivalScheduleOptions): () => number | undefined {
  const { segments, process } = options;
  const perMs = options.ratePerSecond / 1000;
  const worker = options.worker ?? { index: 0, count: 1 };
  const random = seededRandom(options.seed);
  const cumulative: number[] = [];
  let total = 0;
  for (const segment of segments) {
    cumulative.push(total);
    total += (perMs * (segment.from + segment.to) * (segment.end - segment.start)) / 2;
  }

  let arrival = 0;
  let unitTime = 0;
  const advance = (): number | undefined => {
    unitTime = process === 'constant' ? arrival + 1 : unitTime - Math.log(1 - random());
    arrival += 1;
    return unitTime <= total ? invert(segments, cumulative, perMs, unitTime) : undefined;
  };
  // Skip to this worker's first arrival.
  for (let skipped = 0; skipped < worker.index; skipped += 1) advance();

  let finished = false;
  return () => {
    if (finished) return undefined;
    const time = advance();
    for (let skipped = 1; skipped < worker.count; skipped += 1) advance();
    if (time === undefined) finished = true;
    return time;
  };
}

/** Λ⁻¹(y): the time at which the expected arrival count reaches y. */
function invert(segments: readonly LevelSegment[], cumulative: readonly number[], perMs: number, y: number): number {
  let index = 0;
  while (index + 1 < segments.length && (cumulative[index + 1] ?? Infinity) < y) index += 1;
  const segment = segments[index];
  if (segment === undefined) return 0;
  const rest = y - (cumulative[index] ?? 0);
  const length = segment.end - segment.start;
  const slope = (perMs * (segment.to - segment.from)) / (2 * length);
  const base = perMs * segment.from;
  // Solve slope·x² + base·x = rest in the stable form 2·rest / (base + √(base² + 4·slope·rest)).
  const root = Math.sqrt(Math.max(0, base * base + 4 * slope * rest));
  const x = base + root === 0 ? 0 : (2 * rest) / (base + root);
  return segment.start + Math.min(Math.max(x, 0), length);
}
