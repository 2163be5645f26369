import { describe, expect, test } from 'vitest';
import { SampleReservoir } from '../../src/engine/sample-reservoir.js';

describe('SampleReservoir', () => {
  test('keeps everything up to its size, then a uniform sample of all offered; take starts afresh', () => {
    const reservoir = new SampleReservoir<number>(256);
    let made = 0;
    const make = (item: number) => (): number => {
      made += 1;
      return item;
    };
    for (let item = 0; item < 100; item += 1) reservoir.offer(make(item));
    expect(reservoir.take()).toEqual({ items: Array.from({ length: 100 }, (_, index) => index), seen: 100 });

    for (let item = 0; item < 100_000; item += 1) reservoir.offer(make(item));
    const { items, seen } = reservoir.take();
    expect(seen).toBe(100_000);
    expect(items).toHaveLength(256);
    expect(new Set(items).size).toBe(256);
    // Uniform over all offered: the mean index near the middle, the last quarter represented.
    const mean = items.reduce((sum, item) => sum + item, 0) / items.length;
    expect(mean).toBeGreaterThan(40_000);
    expect(mean).toBeLessThan(60_000);
    expect(items.filter((item) => item >= 75_000).length).toBeGreaterThan(30);
    // Items are made only when kept: about size × (1 + ln(offered / size)), not one per offer.
    expect(made).toBeLessThan(100 + 256 * (1 + Math.log(100_000 / 256)) * 1.3);
    expect(reservoir.take()).toEqual({ items: [], seen: 0 });
  });
});
