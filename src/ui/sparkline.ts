const BLOCKS = '▁▂▃▄▅▆▇█';
/** A second with no measurement: a gap, so "nothing happened" never reads as "fast". */
const GAP = ' ';

export interface SparklineOptions {
  /** Show only the last `width` values. */
  width?: number;
  /** The value drawn as a full block; defaults to the largest value shown. */
  max?: number;
}

/**
 * Values as unicode blocks scaled from zero (not from the minimum, which would turn jitter into
 * cliffs): `[1, 4, null, 8]` → `▂▄ █`. Null or non-finite values are gaps.
 */
export function sparkline(values: ReadonlyArray<number | null>, options: SparklineOptions = {}): string {
  const shown = options.width === undefined ? values : values.slice(Math.max(0, values.length - options.width));
  const finite = shown.filter((value): value is number => value !== null && Number.isFinite(value));
  const max = options.max ?? Math.max(0, ...finite);
  const top = BLOCKS.length - 1;
  return shown
    .map((value) => {
      if (value === null || !Number.isFinite(value)) return GAP;
      const level = max > 0 ? Math.round((Math.min(Math.max(value, 0), max) / max) * top) : 0;
      return BLOCKS[level] ?? GAP;
    })
    .join('');
}
