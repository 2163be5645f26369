import { describe, expect, it } from 'vitest';
import { keySampler } from '../../src/engine/key-sampler.js';
import { seededRandom } from '../../src/seeded-random.js';
import { zipfSampler } from '../../src/engine/zipf-sampler.js';
import { keyShare } from '../../src/scenarios/key-distribution.js';
import type { KeyDistribution } from '../../src/scenarios/schema.js';

function frequencies(draw: () => string | number, draws: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let index = 0; index < draws; index += 1) {
    const value = String(draw());
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

/** |observed − expected| within 5 binomial standard deviations (plus a little for tiny shares). */
function expectShare(counts: Map<string, number>, value: string, share: number, draws: number): void {
  const observed = (counts.get(value) ?? 0) / draws;
  const sigma = Math.sqrt((share * (1 - share)) / draws);
  expect(Math.abs(observed - share), `value ${value}: observed ${observed}, expected ${share}`).toBeLessThanOrEqual(5 * sigma + 1e-4);
}

describe('key sampler', () => {
  it('draws a zipf key with hot values at the shares the forecast uses', () => {
    const key: KeyDistribution = { zipf: { n: 100, s: 1.1, first: 1 }, hot: [{ value: 1, share: 0.2 }] };
    const draws = 200_000;
    const counts = frequencies(keySampler(key, seededRandom(3)), draws);
    for (const value of ['1', '2', '3', '10', '50', '100']) expectShare(counts, value, keyShare(key, value), draws);
    expect([...counts.keys()].every((value) => Number(value) >= 1 && Number(value) <= 100)).toBe(true);
  });

  it('draws zipf ranks over a huge n in constant time, with the head where it belongs', () => {
    const n = 100_000_000;
    const rank = zipfSampler(n, 1.1, seededRandom(9));
    const key: KeyDistribution = { zipf: { n, s: 1.1, first: 1 } };
    const counts = frequencies(rank, 100_000);
    expectShare(counts, '1', keyShare(key, 1), 100_000);
    expectShare(counts, '2', keyShare(key, 2), 100_000);
  });

  it('is exact for s = 1 and for steep exponents', () => {
    for (const s of [1, 3]) {
      const key: KeyDistribution = { zipf: { n: 50, s, first: 10 } };
      const counts = frequencies(keySampler(key, seededRandom(11)), 100_000);
      for (const value of ['10', '11', '12', '20']) expectShare(counts, value, keyShare(key, value), 100_000);
    }
  });

  it('draws uniform ranges, explicit values and shadow id ranges', () => {
    const random = seededRandom(5);
    const uniform = frequencies(keySampler({ uniform: { min: 5, max: 8 } }, random), 40_000);
    expect([...uniform.keys()].sort()).toEqual(['5', '6', '7', '8']);
    for (const value of ['5', '8']) expectShare(uniform, value, 0.25, 40_000);
    const values = frequencies(keySampler({ values: ['a', 'b', 'b'] }, random), 30_000);
    expectShare(values, 'b', 2 / 3, 30_000);
    const ids = frequencies(keySampler({ shadow_range: [9_000_000_000, 9_000_000_009] }, random), 10_000);
    expect([...ids.keys()].every((id) => Number(id) >= 9_000_000_000 && Number(id) <= 9_000_000_009)).toBe(true);
    expect(ids.size).toBe(10);
  });
});
