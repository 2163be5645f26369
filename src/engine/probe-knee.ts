import { fitUsl, type UslFit } from '../scenarios/usl.js';
import type { LevelMeasurement } from './closed-sweep.js';

/**
 * What a probe's measurements say: which levels meet the SLO, the knee (the most throughput any
 * of them delivered, and at what concurrency) and the USL fitted to all of them.
 */

export interface ProbeSlo {
  /** p99 of the 2xx responses must be at most this, ms. */
  p99Ms: number;
  /** Share of requests without a 2xx response allowed, 0..1. */
  maxErrorShare: number;
}

/** Levels needed for a fit at all, and for σ and κ to be well determined (capacity-models.md). */
const USL_MIN_LEVELS = 3;
const USL_GOOD_LEVELS = 6;
/** Below this R² the fitted curve explains too little of the measurements to predict from. */
const USL_POOR_R2 = 0.9;

export interface LevelVerdict {
  concurrency: number;
  meets: boolean;
  /** Why the level misses the SLO, in words; empty when it meets it. */
  misses: string[];
}

export interface ProbeAnalysis {
  verdicts: LevelVerdict[];
  /** The level with the highest throughput among those meeting the SLO (the lower concurrency on a tie); null when none does. */
  knee: LevelMeasurement | null;
  /** Null when the levels cannot be fitted; `fit_notes` then says why. */
  usl: UslFit | null;
  /** Why there is no fit, or what to keep in mind about the one there is (too few levels, a poor R²). */
  fit_notes: string[];
}

const percent = (share: number): string => `${Number((share * 100).toPrecision(3))}%`;

export function judgeLevel(level: LevelMeasurement, slo: ProbeSlo): LevelVerdict {
  const misses: string[] = [];
  if (level.latency_ms === null) misses.push('no 2xx response');
  else if (level.latency_ms.p99 > slo.p99Ms) misses.push(`p99 ${level.latency_ms.p99} ms > ${slo.p99Ms} ms`);
  if (level.error_share > slo.maxErrorShare) misses.push(`errors ${percent(level.error_share)} > ${percent(slo.maxErrorShare)}`);
  return { concurrency: level.concurrency, meets: misses.length === 0, misses };
}

export function selectKnee(levels: readonly LevelMeasurement[], slo: ProbeSlo): LevelMeasurement | null {
  let knee: LevelMeasurement | null = null;
  for (const level of levels) {
    if (!judgeLevel(level, slo).meets || level.throughput <= 0) continue;
    if (knee === null || level.throughput > knee.throughput) knee = level;
  }
  return knee;
}

function fitLevels(levels: readonly LevelMeasurement[]): { usl: UslFit | null; fit_notes: string[] } {
  if (levels.length < USL_MIN_LEVELS) {
    const measured = `${levels.length} level${levels.length === 1 ? '' : 's'} measured`;
    return { usl: null, fit_notes: [`USL fit skipped: it needs ≥ ${USL_MIN_LEVELS} levels (better ${USL_GOOD_LEVELS}), ${measured}`] };
  }
  let usl: UslFit;
  try {
    usl = fitUsl(levels.map(({ concurrency, throughput }) => ({ concurrency, throughput })));
  } catch (error) {
    // fitUsl refuses data it cannot fit (every throughput 0); that is a finding to show, not a crash.
    if (error instanceof RangeError) return { usl: null, fit_notes: [`USL fit skipped: ${error.message}`] };
    throw error;
  }
  const notes: string[] = [];
  if (levels.length < USL_GOOD_LEVELS) {
    notes.push(`only ${levels.length} levels: σ and κ are poorly determined; measure at least ${USL_GOOD_LEVELS}`);
  }
  if (usl.r2 < USL_POOR_R2) {
    notes.push(`R² ${usl.r2.toFixed(2)}: the USL fits these levels poorly (noisy steps, or a load generator sharing the target's CPUs?); longer steps help`);
  }
  return { usl, fit_notes: notes };
}

export function analyseProbe(levels: readonly LevelMeasurement[], slo: ProbeSlo): ProbeAnalysis {
  return { verdicts: levels.map((level) => judgeLevel(level, slo)), knee: selectKnee(levels, slo), ...fitLevels(levels) };
}
