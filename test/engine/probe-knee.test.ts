import { describe, expect, it } from 'vitest';
import type { LevelMeasurement } from '../../src/engine/closed-sweep.js';
import { analyseProbe, judgeLevel, selectKnee, type ProbeSlo } from '../../src/engine/probe-knee.js';
import { uslThroughput } from '../../src/scenarios/usl.js';

const slo: ProbeSlo = { p99Ms: 200, maxErrorShare: 0.01 };

/** A measured level: `p99` null means no 2xx response came back. */
function level(concurrency: number, throughput: number, p99: number | null, errorShare = 0): LevelMeasurement {
  return {
    concurrency,
    duration_s: 10,
    throughput,
    ok: Math.round(throughput * 10),
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    error_share: errorShare,
    latency_ms: p99 === null ? null : { p50: p99 / 2, p90: p99 * 0.8, p99, max: p99 * 2 },
  };
}

describe('judgeLevel', () => {
  it('passes a level within the p99 budget and the error share, bounds included', () => {
    expect(judgeLevel(level(4, 900, 200, 0.01), slo)).toEqual({ concurrency: 4, meets: true, misses: [] });
  });

  it('says every reason a level misses', () => {
    expect(judgeLevel(level(8, 900, 201, 0.025), slo).misses).toEqual(['p99 201 ms > 200 ms', 'errors 2.5% > 1%']);
    expect(judgeLevel(level(8, 0, null, 1), slo).misses).toEqual(['no 2xx response', 'errors 100% > 1%']);
  });
});

describe('selectKnee', () => {
  it('picks the highest throughput among the levels that meet the SLO, not the last one', () => {
    const levels = [level(1, 100, 10), level(2, 190, 11), level(4, 360, 12), level(8, 420, 180), level(16, 400, 190), level(32, 450, 400)];
    expect(selectKnee(levels, slo)?.concurrency).toBe(8);
  });

  it('skips a fast level with too many errors', () => {
    const levels = [level(1, 100, 10), level(2, 190, 11), level(4, 380, 12, 0.02)];
    expect(selectKnee(levels, slo)?.concurrency).toBe(2);
  });

  it('keeps the lower concurrency on a tie', () => {
    expect(selectKnee([level(4, 300, 50), level(8, 300, 90)], slo)?.concurrency).toBe(4);
  });

  it('is null when no level meets the SLO, or none delivered anything', () => {
    expect(selectKnee([level(1, 100, 250), level(2, 150, 300)], slo)).toBeNull();
    expect(selectKnee([level(1, 0, null)], slo)).toBeNull();
    expect(selectKnee([], slo)).toBeNull();
  });
});

describe('analyseProbe', () => {
  it('skips the fit below 3 levels but still reports the knee', () => {
    const analysis = analyseProbe([level(1, 100, 10), level(2, 190, 12)], slo);
    expect(analysis.knee?.concurrency).toBe(2);
    expect(analysis.usl).toBeNull();
    expect(analysis.fit_notes).toEqual(['USL fit skipped: it needs ≥ 3 levels (better 6), 2 levels measured']);
    expect(analyseProbe([level(1, 100, 10)], slo).fit_notes[0]).toContain('1 level measured');
  });

  it('recovers σ, κ and λ from six levels on a USL curve, with no warning', () => {
    const truth = { sigma: 0.05, kappa: 0.002, lambda: 1000 };
    const levels = [1, 2, 4, 8, 16, 32].map((n) => level(n, uslThroughput(truth, n), 10 + n));
    const analysis = analyseProbe(levels, slo);
    expect(analysis.fit_notes).toEqual([]);
    expect(analysis.usl?.sigma).toBeCloseTo(0.05, 6);
    expect(analysis.usl?.kappa).toBeCloseTo(0.002, 8);
    expect(analysis.usl?.lambda).toBeCloseTo(1000, 3);
    expect(analysis.usl?.r2).toBeCloseTo(1, 9);
    expect(analysis.usl?.peak?.concurrency).toBeCloseTo(Math.sqrt(0.95 / 0.002), 4);
    expect(analysis.verdicts.every((verdict) => verdict.meets)).toBe(true);
    expect(analysis.knee?.concurrency).toBe(16);
  });

  it('fits 3 to 5 levels with a warning', () => {
    const analysis = analyseProbe([level(1, 100, 10), level(2, 190, 11), level(4, 350, 12)], slo);
    expect(analysis.usl).not.toBeNull();
    expect(analysis.fit_notes).toEqual(['only 3 levels: σ and κ are poorly determined; measure at least 6']);
  });

  it('explains a fit that cannot be made instead of throwing', () => {
    const analysis = analyseProbe([level(1, 0, null), level(2, 0, null), level(4, 0, null)], slo);
    expect(analysis.usl).toBeNull();
    expect(analysis.knee).toBeNull();
    expect(analysis.fit_notes).toEqual(['USL fit skipped: every throughput is 0: there is nothing to fit']);
  });

  it('warns when the fit explains the levels poorly', () => {
    const noisy = [level(1, 6000, 1), level(2, 11000, 1), level(4, 13000, 1), level(8, 15000, 1), level(16, 12000, 4), level(32, 12000, 7), level(64, 15000, 8)];
    const analysis = analyseProbe(noisy, slo);
    expect(analysis.usl?.r2).toBeLessThan(0.9);
    expect(analysis.fit_notes).toHaveLength(1);
    expect(analysis.fit_notes[0]).toMatch(/^R² 0\.\d\d: the USL fits these levels poorly/);
  });
});
