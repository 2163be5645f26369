import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createArrivalSchedule, type ArrivalScheduleOptions } from '../../src/engine/arrival-schedule.js';
import { profileSegments } from '../../src/engine/load-profile.js';

function drain(next: () => number | undefined): number[] {
  const times: number[] = [];
  for (let time = next(); time !== undefined; time = next()) times.push(time);
  return times;
}

const hold = (ms: number) => profileSegments([{ step: ms, to: 1 }]);

describe('arrival schedule', () => {
  it('spaces constant arrivals evenly at the rate', () => {
    const times = drain(createArrivalSchedule({ segments: hold(1_000), ratePerSecond: 100, process: 'constant', seed: 1 }));
    expect(times).toHaveLength(100);
    expect(times[0]).toBeCloseTo(10, 9);
    expect(times[99]).toBeCloseTo(1_000, 9);
    expect(times.slice(1).map((time, index) => time - times[index]!).every((gap) => Math.abs(gap - 10) < 1e-9)).toBe(true);
  });

  it('sends exactly the expected count over a ramp, denser as the ramp rises', () => {
    // Ramp 0 → 1 over 10 s at 1000/s: Λ(10 s) = 5000 arrivals, a quarter of them in the first half.
    const times = drain(createArrivalSchedule({ segments: profileSegments([{ ramp: 10_000, to: 1 }]), ratePerSecond: 1_000, process: 'constant', seed: 1 }));
    expect(times).toHaveLength(5_000);
    expect(times.filter((time) => time <= 5_000)).toHaveLength(1_250);
  });

  it('draws Poisson arrivals with the right count and the same ones for the same seed', () => {
    const options: ArrivalScheduleOptions = { segments: hold(60_000), ratePerSecond: 500, process: 'poisson', seed: 42 };
    const times = drain(createArrivalSchedule(options));
    // 30 000 expected; a Poisson count has σ ≈ 173, so ±4σ.
    expect(Math.abs(times.length - 30_000)).toBeLessThan(700);
    expect(drain(createArrivalSchedule(options))).toEqual(times);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((sum, gap) => sum + (gap - mean) ** 2, 0) / gaps.length);
    // Exponential gaps: the standard deviation equals the mean (2 ms at 500/s).
    expect(mean).toBeCloseTo(2, 1);
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
  });

  it('splits one schedule exactly between workers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom<'constant' | 'poisson'>('constant', 'poisson'),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (count, process, seed) => {
          const base = { segments: profileSegments([{ ramp: 2_000, to: 1 }, { hold: 1_000 }, { spike: 500, to: 3 }]), ratePerSecond: 300, process, seed };
          const whole = drain(createArrivalSchedule(base));
          const parts = Array.from({ length: count }, (_, index) => drain(createArrivalSchedule({ ...base, worker: { index, count } })));
          expect(parts.flat().sort((a, b) => a - b)).toEqual(whole);
          expect(Math.max(...parts.map((part) => part.length)) - Math.min(...parts.map((part) => part.length))).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps arrivals in order and inside the profile', () => {
    const segments = profileSegments([{ ramp: 1_000, to: 2 }, { ramp: 1_000, to: 0 }, { hold: 500 }, { step: 500, to: 1 }]);
    const times = drain(createArrivalSchedule({ segments, ratePerSecond: 1_000, process: 'poisson', seed: 7 }));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((time) => time >= 0 && time <= 3_000)).toBe(true);
    expect(times.filter((time) => time > 2_000 && time < 2_500)).toHaveLength(0);
  });
});
