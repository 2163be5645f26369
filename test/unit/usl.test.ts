import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concurrencyForThroughput, fitUsl, uslThroughput, type UslPoint } from '../../src/scenarios/usl.js';

const points = (rows: ReadonlyArray<readonly [number, number]>): UslPoint[] =>
  rows.map(([concurrency, throughput]) => ({ concurrency, throughput }));

/** |actual − expected| ≤ relative · |expected|. */
function expectRelative(actual: number, expected: number, relative: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));
}

// The `specsdm91` dataset shipped with the R package usl (S. Möding); values recovered from the
// package's test output (tests/t03.Rout.save: fitted + residuals) and checked against tests/residuals.Rout.save.
const SPECSDM91 = points([[1, 64.9], [18, 995.9], [36, 1652.4], [72, 1853.2], [108, 1828.9], [144, 1775.0], [216, 1702.2]]);
// The `raytracer` dataset of the same package (Gunther, Guerrilla Capacity Planning, 2007).
const RAYTRACER = points([[1, 20], [4, 78], [8, 130], [12, 170], [16, 190], [20, 200], [24, 210], [28, 230], [32, 260], [48, 280], [64, 310]]);
// Cisco benchmark from B. Schwartz's "Practical Scalability Analysis with the USL", as in usl4j's ModelTest.java.
const CISCO = points([
  [1, 955.16], [2, 1878.91], [3, 2688.01], [4, 3548.68], [5, 4315.54], [6, 5130.43], [7, 5931.37], [8, 6531.08],
  [9, 7219.8], [10, 7867.61], [11, 8278.71], [12, 8646.7], [13, 9047.84], [14, 9426.55], [15, 9645.37], [16, 9897.24],
  [17, 10097.6], [18, 10240.5], [19, 10532.39], [20, 10798.52], [21, 11151.43], [22, 11518.63], [23, 11806], [24, 12089.37],
  [25, 12075.41], [26, 12177.29], [27, 12211.41], [28, 12158.93], [29, 12155.27], [30, 12118.04], [31, 12140.4], [32, 12074.39],
]);

describe('fitUsl against published fits', () => {
  it('reproduces R usl on specsdm91 (tests/usl-nlxb.Rout.save, summary.Rout.save, peak-scalability.Rout.save)', () => {
    const fit = fitUsl(SPECSDM91);
    // Published: alpha 0.0277285, beta 0.0001044, gamma 89.9952330, R² 0.9896, peak 97 (2 significant digits).
    expectRelative(fit.sigma, 0.0277285, 1e-4);
    expectRelative(fit.kappa, 0.0001044, 1e-3);
    expectRelative(fit.lambda, 89.995233, 1e-6);
    expect(fit.r2).toBeCloseTo(0.9896, 4);
    expect(fit.peak?.concurrency).toBeGreaterThanOrEqual(96.5);
    expect(fit.peak?.concurrency).toBeLessThan(97.5);
    expect(fit.amdahl_ceiling).toBeNull();
    // Published fitted values (tests/fitted.Rout.save), rounded to whole scripts/hour.
    const fitted = [90, 1078, 1541, 1850, 1879, 1822, 1646];
    SPECSDM91.forEach((point, i) => expect(Math.abs(uslThroughput(fit, point.concurrency) - (fitted[i] ?? 0))).toBeLessThanOrEqual(0.5));
  });

  it('reproduces R usl on raytracer, where κ sits on its bound (tests/confint.Rout.save)', () => {
    const fit = fitUsl(RAYTRACER);
    // Published: alpha 0.0578, beta 0.0000, gamma 21.8488.
    expect(fit.sigma).toBeCloseTo(0.0578, 4);
    expect(fit.kappa).toBe(0);
    expect(fit.lambda).toBeCloseTo(21.8488, 3);
    expect(fit.peak).toBeNull();
    expect(fit.amdahl_ceiling).toBeCloseTo(fit.lambda / fit.sigma, 9);
  });

  it('recovers σ = κ = 0.02, λ = 1 from the usl package coef/usl-nls test data (signif 3)', () => {
    const fit = fitUsl(points([[1, 1], [2, 1.8868], [4, 3.0769], [6, 3.5294], [8, 3.5398], [10, 3.3557]]));
    expect(Math.abs(fit.sigma - 0.02)).toBeLessThan(5e-5);
    expect(Math.abs(fit.kappa - 0.02)).toBeLessThan(5e-5);
    expect(Math.abs(fit.lambda - 1)).toBeLessThan(5e-4);
  });

  it('matches the book values usl4j tests against on the Cisco data (0.02 % as in usl4j)', () => {
    const fit = fitUsl(CISCO);
    expectRelative(fit.sigma, 0.02671591, 2e-4);
    expectRelative(fit.kappa, 7.690945e-4, 2e-4);
    expectRelative(fit.lambda, 995.6486, 2e-4);
    expect(Math.floor(fit.peak?.concurrency ?? 0)).toBe(35); // BOOK_N_MAX
    expectRelative(uslThroughput(fit, 35), 12341.7456205207, 1e-6); // throughputAtConcurrency(35); BOOK_X_MAX 12341
    expectRelative(uslThroughput(fit, 20), 11063.633137626028, 1e-6);
    expectRelative(uslThroughput(fit, 1), 995.648772003358, 1e-6);
  });
});

describe('concurrencyForThroughput', () => {
  it('uses κ: usl4j returns 15.35 for X = 11048 on the Cisco fit, which X(N) contradicts', () => {
    const fit = fitUsl(CISCO);
    const n = concurrencyForThroughput(fit, 11048);
    expect(n).not.toBeNull();
    expectRelative(uslThroughput(fit, n ?? 0), 11048, 1e-10);
    expect(uslThroughput(fit, 15.350435172752203)).toBeLessThan(10_000);
  });

  it('is the exact root of the quadratic for known coefficients', () => {
    const fit = { sigma: 0.05, kappa: 0.001, lambda: 100 };
    const n = concurrencyForThroughput(fit, uslThroughput(fit, 10));
    expect(n).toBeCloseTo(10, 10);
  });

  it('handles κ = 0: linear below the Amdahl ceiling, null at or above it', () => {
    const amdahl = { sigma: 0.1, kappa: 0, lambda: 50 };
    expect(concurrencyForThroughput(amdahl, uslThroughput(amdahl, 7))).toBeCloseTo(7, 10);
    expect(concurrencyForThroughput(amdahl, 500)).toBeNull();
    expect(concurrencyForThroughput(amdahl, 600)).toBeNull();
    expect(concurrencyForThroughput({ sigma: 0, kappa: 0, lambda: 50 }, 1000)).toBeCloseTo(20, 12);
  });

  it('returns null above the peak and the peak concurrency at the peak', () => {
    const fit = fitUsl(SPECSDM91);
    const peak = fit.peak ?? { concurrency: 0, throughput: 0 };
    expect(concurrencyForThroughput(fit, peak.throughput * 1.001)).toBeNull();
    expectRelative(concurrencyForThroughput(fit, peak.throughput) ?? 0, peak.concurrency, 1e-5);
    expect(concurrencyForThroughput(fit, 0)).toBe(0);
    expect(() => concurrencyForThroughput(fit, -1)).toThrow(RangeError);
  });
});

describe('edges: σ at 1, throughputs at or below X(1)', () => {
  const FLAT = points([[1, 100], [2, 100], [4, 100], [8, 100], [16, 100], [32, 100]]);

  it('fits a flat curve with σ = 1, and puts its peak at N = 1 rather than an Amdahl ceiling', () => {
    const fit = fitUsl(FLAT);
    expect(fit).toMatchObject({ sigma: 1, kappa: 0, peak: { concurrency: 1, throughput: 100 }, amdahl_ceiling: null });
    expect(fit.lambda).toBeCloseTo(100, 9);
  });

  it('needs one request in flight for any throughput up to X(1), and nothing for none', () => {
    const fit = fitUsl(FLAT);
    expect(concurrencyForThroughput(fit, 50)).toBe(1);
    expect(concurrencyForThroughput(fit, 100)).toBe(1);
    expect(concurrencyForThroughput(fit, 100.01)).toBeNull();
    expect(concurrencyForThroughput(fit, 0)).toBe(0);
    expect(concurrencyForThroughput(fitUsl(SPECSDM91), 10)).toBe(1);
  });

  it('treats σ = 1 with κ > 0 (a falling curve) as peaking at N = 1', () => {
    const falling = fitUsl(points([[1, 100], [2, 60], [4, 40], [8, 20]]));
    expect(falling.sigma).toBe(1);
    expect(falling.peak).toEqual({ concurrency: 1, throughput: falling.lambda });
    expect(concurrencyForThroughput(falling, falling.lambda)).toBe(1);
    expect(concurrencyForThroughput(falling, falling.lambda * 1.01)).toBeNull();
  });

  it('answers null above X(1) when the curve would peak below N = 1', () => {
    // √((1−σ)/κ) ≈ 0.71: X rises a little between N = 0.71 and 1 only in the unphysical region.
    const fit = { sigma: 0.5, kappa: 1, lambda: 10 };
    expect(concurrencyForThroughput(fit, 10)).toBe(1);
    expect(concurrencyForThroughput(fit, 10.001)).toBeNull();
  });

  it('never answers below 1, and what it answers above X(1) yields the throughput', () => {
    const anyFit = fc.record({
      sigma: fc.double({ min: 0, max: 1, noNaN: true }),
      kappa: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
      lambda: fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
    });
    fc.assert(
      fc.property(anyFit, fc.double({ min: 1e-6, max: 1e3, noNaN: true }), (fit, share) => {
        const wanted = fit.lambda * share;
        const n = concurrencyForThroughput(fit, wanted);
        if (n === null) return;
        expect(n).toBeGreaterThanOrEqual(1);
        if (wanted > fit.lambda) expectRelative(uslThroughput(fit, n), wanted, 1e-6);
      }),
    );
  });
});

describe('fitUsl input checks', () => {
  it('needs 3 distinct concurrencies', () => {
    expect(() => fitUsl(points([[1, 10], [1, 11], [2, 19]]))).toThrow(/3 or more distinct concurrencies, found 2/);
    expect(() => fitUsl([])).toThrow(RangeError);
  });

  it('rejects non-finite, non-positive concurrency, negative throughput and all-zero data', () => {
    expect(() => fitUsl(points([[1, 10], [2, Number.NaN], [3, 20]]))).toThrow(RangeError);
    expect(() => fitUsl(points([[0, 10], [2, 19], [3, 20]]))).toThrow(/concurrency/);
    expect(() => fitUsl(points([[1, 10], [2, -1], [3, 20]]))).toThrow(/throughput/);
    expect(() => fitUsl(points([[1, 0], [2, 0], [3, 0]]))).toThrow(/nothing to fit/);
  });

  it('does not depend on the order of the points', () => {
    const forward = fitUsl(SPECSDM91);
    const backward = fitUsl([...SPECSDM91].reverse());
    expectRelative(backward.kappa, forward.kappa, 1e-6);
    expectRelative(backward.lambda, forward.lambda, 1e-6);
  });
});

describe('properties', () => {
  const coefficients = fc.record({
    sigma: fc.double({ min: 0, max: 0.2, noNaN: true }),
    kappa: fc.double({ min: 1e-5, max: 1e-2, noNaN: true }),
    lambda: fc.double({ min: 1, max: 1e4, noNaN: true }),
  });

  it('recovers the coefficients of noiseless data', () => {
    fc.assert(
      fc.property(coefficients, fc.integer({ min: 6, max: 24 }), (truth, count) => {
        const data = Array.from({ length: count }, (_, i) => ({ concurrency: 1 + 2 * i, throughput: uslThroughput(truth, 1 + 2 * i) }));
        const fit = fitUsl(data);
        expect(fit.r2).toBeGreaterThan(0.99999);
        for (const point of data) expectRelative(uslThroughput(fit, point.concurrency), point.throughput, 1e-4);
      }),
      { numRuns: 60 },
    );
  });

  it('X(N) of the fitted curve is largest at the peak fitUsl reports', () => {
    fc.assert(
      fc.property(coefficients, (truth) => {
        // Measurements on both sides of the true peak, so the fit sees the retrograde region.
        const reach = 2 * Math.sqrt((1 - truth.sigma) / truth.kappa);
        const data = Array.from({ length: 12 }, (_, i) => 1 + Math.round((i * reach) / 11)).map((n) => ({ concurrency: n, throughput: uslThroughput(truth, n) }));
        const fit = fitUsl(data);
        const peak = fit.peak;
        if (peak === null) throw new Error('expected a peak');
        expect(peak.throughput).toBe(uslThroughput(fit, peak.concurrency));
        for (let i = 0; i <= 400; i += 1) {
          expect(uslThroughput(fit, 1 + (i * 2 * reach) / 400)).toBeLessThanOrEqual(peak.throughput * (1 + 1e-12));
        }
        // …and it is a real maximum, not a point on a plateau the grid happens to miss.
        expect(uslThroughput(fit, peak.concurrency * 1.1)).toBeLessThan(peak.throughput);
        if (peak.concurrency * 0.9 >= 1) expect(uslThroughput(fit, peak.concurrency * 0.9)).toBeLessThan(peak.throughput);
      }),
      { numRuns: 60 },
    );
  });

  it('concurrencyForThroughput inverts X(N) before the peak', () => {
    fc.assert(
      fc.property(coefficients, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (fit, share) => {
        const peak = Math.sqrt((1 - fit.sigma) / fit.kappa);
        const n = 1 + share * (peak - 1);
        fc.pre(peak > 1.01);
        expectRelative(concurrencyForThroughput(fit, uslThroughput(fit, n)) ?? Number.NaN, n, 1e-6);
      }),
    );
  });

  it('stays within bounds and finite on noisy data', () => {
    fc.assert(
      fc.property(coefficients, fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 8, maxLength: 8 }), (truth, noise) => {
        const data = noise.map((e, i) => ({ concurrency: 1 + 4 * i, throughput: uslThroughput(truth, 1 + 4 * i) * (1 + e) }));
        const fit = fitUsl(data);
        expect(fit.sigma).toBeGreaterThanOrEqual(0);
        expect(fit.sigma).toBeLessThanOrEqual(1);
        expect(fit.kappa).toBeGreaterThanOrEqual(0);
        expect(fit.kappa).toBeLessThanOrEqual(1);
        expect(fit.lambda).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(fit.r2) && fit.r2 <= 1).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
