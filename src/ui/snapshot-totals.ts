import type { RunSnapshot } from '../engine/run-events.js';

export interface ErrorTotals {
  /** Requests finished, with a response or without (`none`). */
  finished: number;
  errors: number;
  /** errors / finished; 0 before anything finished. */
  rate: number;
}

const sum = (counts: Readonly<Record<string, number | undefined>>): number =>
  Object.values(counts).reduce<number>((total, count) => total + (count ?? 0), 0);

/** Errors over finished requests, the ratio an `errors.rate` threshold measures. */
export function errorTotals(snapshot: RunSnapshot): ErrorTotals {
  // Every finished request lands in exactly one status class, so their sum is the finished count.
  const finished = sum(snapshot.statuses);
  const errors = sum(snapshot.errors);
  return { finished, errors, rate: finished > 0 ? errors / finished : 0 };
}
