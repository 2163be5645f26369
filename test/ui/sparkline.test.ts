import { describe, expect, it } from 'vitest';
import { sparkline } from '../../src/ui/sparkline.js';

describe('sparkline', () => {
  it('scales from zero to the largest value', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([8, 4, 8])).toBe('█▅█');
  });

  it('shows seconds without a measurement as gaps', () => {
    expect(sparkline([1, null, 1, Number.NaN])).toBe('█ █ ');
  });

  it('keeps only the last `width` values', () => {
    expect(sparkline([100, 1, 2], { width: 2 })).toBe('▅█');
  });

  it('draws against a given maximum, clamping values above it', () => {
    expect(sparkline([1, 2, 4], { max: 2 })).toBe('▅██');
  });

  it('draws nothing for no values, and the floor when every value is zero', () => {
    expect(sparkline([])).toBe('');
    expect(sparkline([null, null])).toBe('  ');
    expect(sparkline([0, 0])).toBe('▁▁');
  });
});
