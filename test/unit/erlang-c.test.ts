import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErlangInputError, erlangC, evaluateErlang, sizeForWait, sizeInstancesForWait } from '../../src/scenarios/erlang-c.js';

/** An independent C(c, A): Poisson terms summed in log space (no recursion, no factorials). */
function erlangCDirect(c: number, a: number): number {
  const logTerms: number[] = [];
  let logTerm = 0;
  for (let k = 0; k < c; k += 1) {
    logTerms.push(logTerm);
    logTerm += Math.log(a) - Math.log(k + 1);
  }
  const logLast = logTerm + Math.log(c / (c - a));
  const top = Math.max(logLast, ...logTerms);
  const sum = logTerms.reduce((acc, value) => acc + Math.exp(value - top), 0);
  return Math.exp(logLast - top) / (sum + Math.exp(logLast - top));
}

/** C from an Erlang B value: C = cB / (c − A(1 − B)). */
const cFromB = (c: number, a: number, b: number): number => (c * b) / (c - a * (1 - b));

describe('erlangC: closed forms and published tables', () => {
  it('is A for one server (M/M/1: P(wait) = ρ)', () => {
    for (const a of [0.1, 0.5, 0.9, 0.999]) expect(erlangC(1, a)).toBeCloseTo(a, 14);
  });

  it('is 2ρ²/(1+ρ) for two servers (M/M/2)', () => {
    for (const rho of [0.1, 0.5, 0.8, 0.99]) expect(erlangC(2, 2 * rho)).toBeCloseTo((2 * rho * rho) / (1 + rho), 13);
  });

  it('matches standard Erlang B traffic tables, carried over to C (4-digit table values → ±5e-4)', () => {
    // Erlang B tables: 5 circuits at 2 E → 3.67 %; 10 at 5 E → 1.84 %; 14 at 10 E → 5.68 %.
    expect(erlangC(5, 2)).toBeCloseTo(cFromB(5, 2, 0.0367), 3);
    expect(erlangC(10, 5)).toBeCloseTo(cFromB(10, 5, 0.0184), 3);
    expect(erlangC(14, 10)).toBeCloseTo(cFromB(14, 10, 0.0568), 3);
  });

  it('agrees with a direct-sum computation to 1e-12', () => {
    for (const [c, a] of [[55, 48], [14, 10], [3, 0.5], [100, 99.5], [400, 350]] as const) {
      expect(Math.abs(erlangC(c, a) - erlangCDirect(c, a))).toBeLessThan(1e-12);
    }
  });

  it('is 0 without load and 1 when saturated', () => {
    expect(erlangC(3, 0)).toBe(0);
    expect(erlangC(10, 10)).toBe(1);
    expect(erlangC(0, 2)).toBe(1);
  });

  it('rejects nonsense with a RangeError', () => {
    expect(() => erlangC(2.5, 1)).toThrow(RangeError);
    expect(() => erlangC(-1, 1)).toThrow(RangeError);
    expect(() => erlangC(3, Number.NaN)).toThrow(RangeError);
    expect(() => erlangC(3, -1)).toThrow(RangeError);
  });
});

describe('pyworkforce reference (rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_erlang.py)', () => {
  // transactions=100 per 30 min, aht=3 min → A = 10 erlangs; asa=0.33 min; values rounded to 3
  // decimals there, so the tolerance here is ±5e-4.
  const call = { rate: 100 / 1800, serviceMs: 180_000, waitMs: 0.33 * 60_000, quantile: 0.8 };

  it('needs 14 positions for an 80 % service level: SL 0.888, occupancy 0.714, P(wait) 0.174', () => {
    const sized = sizeForWait(call);
    expect(sized.instances).toBe(14);
    expect(1 - sized.p_exceed).toBeCloseTo(0.888, 3);
    expect(sized.utilization).toBeCloseTo(0.714, 3);
    expect(sized.p_wait).toBeCloseTo(0.174, 3);
    expect(evaluateErlang({ ...call, servers: 13 }).p_exceed).toBeGreaterThan(0.2);
  });

  it('gives SL 0.941, occupancy 0.667, P(wait) 0.102 at 15 positions', () => {
    const fifteen = evaluateErlang({ ...call, servers: 15 });
    expect(1 - fifteen.p_exceed).toBeCloseTo(0.941, 3);
    expect(fifteen.utilization).toBeCloseTo(0.667, 3);
    expect(fifteen.p_wait).toBeCloseTo(0.102, 3);
  });
});

describe('evaluateErlang', () => {
  it('derives mean, tail and quantile from C (360 calls per half hour, AHT 240 s, 55 agents)', () => {
    const r = evaluateErlang({ servers: 55, rate: 0.2, serviceMs: 240_000, waitMs: 20_000, quantile: 0.9 });
    const c = erlangCDirect(55, 48);
    const drain = 7 / 240_000;
    expect(r.p_wait).toBeCloseTo(c, 12);
    expect(r.wait_ms_mean).toBeCloseTo(c / drain, 6);
    expect(r.p_exceed).toBeCloseTo(c * Math.exp(-drain * 20_000), 12);
    expect(r.wait_ms_quantile).toBeCloseTo(Math.log(c / 0.1) / drain, 6);
    expect(r.utilization).toBeCloseTo(48 / 55, 14);
  });

  it('reports a zero quantile when fewer than 1 − q of requests wait at all', () => {
    expect(evaluateErlang({ servers: 20, rate: 10, serviceMs: 1000, waitMs: 0, quantile: 0.5 }).wait_ms_quantile).toBe(0);
  });

  it('reports a saturated pool as waiting forever', () => {
    const r = evaluateErlang({ servers: 5, rate: 10, serviceMs: 1000, waitMs: 10, quantile: 0.99 });
    expect(r).toMatchObject({ p_wait: 1, p_exceed: 1, utilization: 2, wait_ms_mean: Infinity, wait_ms_quantile: Infinity });
  });
});

describe('sizeForWait', () => {
  it('needs no instances without traffic', () => {
    expect(sizeForWait({ rate: 0, serviceMs: 50, waitMs: 10, quantile: 0.99 })).toMatchObject({ instances: 0, p_wait: 0, p_exceed: 0 });
  });

  it('validates its inputs with RangeError', () => {
    const ok = { rate: 10, serviceMs: 50, waitMs: 10, quantile: 0.99 };
    for (const bad of [{ rate: -1 }, { rate: Number.NaN }, { serviceMs: 0 }, { waitMs: -1 }, { quantile: 0 }, { quantile: 1 }, { rate: Infinity }]) {
      expect(() => sizeForWait({ ...ok, ...bad })).toThrow(RangeError);
    }
    expect(() => sizeForWait({ rate: 1e9, serviceMs: 1e6, waitMs: 1, quantile: 0.9 })).toThrow(/offered load/);
  });

  it('names the inputs at fault apart from the problem, for callers to name in their own terms', () => {
    const thrown = (() => {
      try {
        sizeForWait({ rate: 1e9, serviceMs: 1e6, waitMs: 1, quantile: 0.9 });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(ErlangInputError);
    expect(thrown).toMatchObject({ inputs: ['rate', 'serviceMs'], problem: expect.stringMatching(/^offered load of 1000000000000 erlangs/) });
    expect(() => sizeForWait({ rate: -1, serviceMs: 50, waitMs: 10, quantile: 0.99 })).toThrow('rate: must be a finite number ≥ 0, got -1');
  });

  it('is O(c): 200 000 erlangs are sized in well under a second, with finite results', () => {
    const started = performance.now();
    const r = sizeForWait({ rate: 2_000_000, serviceMs: 100, waitMs: 1, quantile: 0.999 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.instances).toBeGreaterThan(200_000);
    expect(r.utilization).toBeLessThan(1);
    for (const value of Object.values(r)) expect(Number.isFinite(value)).toBe(true);
  });
});

describe('sizeInstancesForWait: n instances behind a load balancer, each its own M/M/k queue', () => {
  it('solves M/M/1 per instance by hand: 1000 req/s, 10 ms service, p99 wait ≤ 40 ms → 45 instances', () => {
    // P(Wq > t) = ρ·e^{−(μ−λ)t} with μ = 100/s, λ = 1000/n, t = 0.04 s. n = 45: ρ = 0.2222, e^{−3.111}
    // = 0.04456 → 0.00990 ≤ 0.01. n = 44: ρ = 0.2273, e^{−3.091} = 0.04546 → 0.01033 > 0.01.
    const closedForm = (n: number): number => (1000 / n / 100) * Math.exp(-(100 - 1000 / n) * 0.04);
    expect(closedForm(45)).toBeLessThanOrEqual(0.01);
    expect(closedForm(44)).toBeGreaterThan(0.01);
    const sized = sizeInstancesForWait({ rate: 1000, serviceMs: 10, waitMs: 40, quantile: 0.99, workers: 1 });
    expect(sized).toMatchObject({ instances: 45, workers: 1 });
    expect(sized.p_exceed).toBeCloseTo(closedForm(45), 14);
    expect(sized.p_wait).toBeCloseTo(1000 / 45 / 100, 14);
    expect(sized.utilization).toBeCloseTo(1000 / 45 / 100, 14);
    expect(sized.wait_ms_mean).toBeCloseTo((1000 / 45 / 100) / (100 - 1000 / 45) * 1000, 9);
  });

  it('needs no instances without traffic', () => {
    expect(sizeInstancesForWait({ rate: 0, serviceMs: 10, waitMs: 5, quantile: 0.99, workers: 8 })).toMatchObject({ instances: 0, workers: 8 });
  });

  it('refuses absurd inputs with an ErlangInputError instead of hanging', () => {
    const ok = { rate: 1000, serviceMs: 10, waitMs: 40, quantile: 0.99, workers: 4 };
    for (const workers of [0, 2.5, -1, Number.NaN, 100_001]) {
      expect(() => sizeInstancesForWait({ ...ok, workers })).toThrow(expect.objectContaining({ inputs: ['workers'] }));
    }
    expect(() => sizeInstancesForWait({ ...ok, rate: 1e9, serviceMs: 1e6 })).toThrow(/offered load/);
    // 1 − q ≈ 1e-16 with no wait allowed: ρ ≤ 1e-16 per single-worker instance, ≈ 1e17 instances.
    const started = performance.now();
    expect(() => sizeInstancesForWait({ ...ok, workers: 1, waitMs: 0, quantile: 1 - 2 ** -53 })).toThrow(/instances; loosen the budget/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('sizes 10^8 erlangs over 100 000 workers an instance in well under a second', () => {
    const started = performance.now();
    const sized = sizeInstancesForWait({ rate: 1e9, serviceMs: 100, waitMs: 1, quantile: 0.999, workers: 100_000 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sized.instances).toBeGreaterThan(1000);
    for (const value of Object.values(sized)) expect(Number.isFinite(value)).toBe(true);
  });

  const budget = fc.record({
    rate: fc.double({ min: 0.1, max: 20_000, noNaN: true }),
    serviceMs: fc.double({ min: 1, max: 500, noNaN: true }),
    waitMs: fc.double({ min: 0, max: 200, noNaN: true }),
    quantile: fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
    workers: fc.integer({ min: 1, max: 64 }),
  });

  it('returns the smallest n that meets the budget, with the metrics of one instance at rate/n', () => {
    fc.assert(
      fc.property(budget, (input) => {
        const { workers, ...rest } = input;
        const sized = sizeInstancesForWait(input);
        const at = (n: number) => evaluateErlang({ ...rest, servers: workers, rate: input.rate / n });
        const tail = 1 - input.quantile;
        expect(sized).toEqual({ ...at(sized.instances), instances: sized.instances, workers });
        expect(sized.p_exceed).toBeLessThanOrEqual(tail * (1 + 1e-9));
        if (sized.instances > 1) expect(at(sized.instances - 1).p_exceed).toBeGreaterThan(tail);
      }),
    );
  });

  it('never needs fewer workers in all than one queue shared by every worker (pooling helps)', () => {
    fc.assert(
      fc.property(budget, (input) => {
        const { workers, ...rest } = input;
        expect(sizeInstancesForWait(input).instances * workers).toBeGreaterThanOrEqual(sizeForWait(rest).instances);
      }),
    );
  });
});

describe('properties', () => {
  const load = fc.double({ min: 0.01, max: 500, noNaN: true });

  it('C(c, A) lies in (0, 1) and falls as c grows', () => {
    fc.assert(
      fc.property(load, fc.integer({ min: 1, max: 50 }), (a, extra) => {
        const c = Math.floor(a) + extra;
        const here = erlangC(c, a);
        return here > 0 && here < 1 && erlangC(c + 1, a) < here;
      }),
    );
  });

  it('P(Wq > t) falls as c grows', () => {
    fc.assert(
      fc.property(load, fc.integer({ min: 1, max: 50 }), fc.double({ min: 0, max: 5000, noNaN: true }), (a, extra, waitMs) => {
        const base = { rate: a, serviceMs: 1000, waitMs, quantile: 0.99 };
        const c = Math.floor(a) + extra;
        return evaluateErlang({ ...base, servers: c + 1 }).p_exceed <= evaluateErlang({ ...base, servers: c }).p_exceed;
      }),
    );
  });

  it('sizeForWait returns the smallest c that meets the budget, and its quantile is within budget', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 5000, noNaN: true }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
        (rate, serviceMs, waitMs, quantile) => {
          const input = { rate, serviceMs, waitMs, quantile };
          const sized = sizeForWait(input);
          const tail = 1 - quantile;
          expect(sized.utilization).toBeLessThan(1);
          expect(sized.p_exceed).toBeLessThanOrEqual(tail * (1 + 1e-9));
          expect(sized.wait_ms_quantile).toBeLessThanOrEqual(waitMs * (1 + 1e-9) + 1e-9);
          const fewer = evaluateErlang({ ...input, servers: sized.instances - 1 });
          expect(fewer.utilization >= 1 || fewer.p_exceed > tail).toBe(true);
        },
      ),
    );
  });

  it('stays finite and in range for thousands of servers', () => {
    fc.assert(
      fc.property(fc.double({ min: 1000, max: 20_000, noNaN: true }), fc.integer({ min: 1, max: 500 }), (a, extra) => {
        const c = Math.ceil(a) + extra;
        const p = erlangC(c, a);
        const r = evaluateErlang({ servers: c, rate: a, serviceMs: 1000, waitMs: 5, quantile: 0.99 });
        return p >= 0 && p <= 1 && Object.values(r).every((value) => Number.isFinite(value));
      }),
      { numRuns: 50 },
    );
  });
});
