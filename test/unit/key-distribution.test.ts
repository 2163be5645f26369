import { expect, test } from 'vitest';
import { busiestKey, harmonicNumber, keyShare } from '../../src/scenarios/key-distribution.js';
import type { KeyDistribution } from '../../src/scenarios/schema.js';

function exactHarmonic(n: number, s: number): number {
  let sum = 0;
  for (let k = n; k >= 1; k--) sum += k ** -s;
  return sum;
}

test('H(n, s) matches the exact sum, also past the Euler–Maclaurin switch', () => {
  expect(harmonicNumber(10, 1)).toBeCloseTo(2.9289682539682538, 14);
  for (const s of [0.6, 1, 1.1, 2]) {
    for (const n of [1, 1000, 100_000, 100_001, 2_000_000]) {
      expect(harmonicNumber(n, s) / exactHarmonic(n, s)).toBeCloseTo(1, 12);
    }
  }
  // Known limit: H(∞, 2) = π²/6.
  expect(harmonicNumber(1e12, 2)).toBeCloseTo(Math.PI ** 2 / 6, 10);
});

const zipfRooms = (hot: KeyDistribution['hot']): KeyDistribution => ({ zipf: { n: 100, s: 1.1, first: 1 }, hot });

test('shares add the hot share and the base share of the same value', () => {
  const key = zipfRooms([{ value: 1, share: 0.2 }]);
  const head = 1 / harmonicNumber(100, 1.1);
  expect(keyShare(key, 1)).toBeCloseTo(0.2 + 0.8 * head, 12);
  expect(keyShare(key, '1')).toBeCloseTo(0.2 + 0.8 * head, 12);
  expect(keyShare(key, 101)).toBe(0);
  let total = 0;
  for (let value = 1; value <= 100; value++) total += keyShare(key, value);
  expect(total).toBeCloseTo(1, 12);
});

test('the busiest key is the hottest value, or the zipf head when no hot value beats it', () => {
  expect(busiestKey(zipfRooms([{ value: 50, share: 0.05 }]))?.value).toBe(1);
  expect(busiestKey(zipfRooms([{ value: 50, share: 0.5 }]))).toMatchObject({ value: 50 });
  expect(busiestKey({ uniform: { min: 1, max: 4 } })).toEqual({ value: 1, share: 0.25 });
  expect(busiestKey({ values: ['a', 'b', 'a'] })).toEqual({ value: 'a', share: 2 / 3 });
  expect(busiestKey({ values: [2, 1, 1, 1] })).toEqual({ value: 1, share: 0.75 });
  expect(busiestKey({ shadow_range: [10, 19] })).toEqual({ value: 10, share: 0.1 });
});
