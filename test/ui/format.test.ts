import { describe, expect, it } from 'vitest';
import { formatBreakdown, formatClock, formatCount, formatMs, formatPercent, formatQuantity, formatRate } from '../../src/ui/format.js';
import { formatThresholdValue } from '../../src/ui/threshold-value.js';

describe('live number formats', () => {
  it('counts: exact below 10,000, then compact', () => {
    expect([0, 1180, 9999, 12_345, 123_456, 1_234_567, 45_600_000].map(formatCount)).toEqual(['0', '1,180', '9,999', '12.3k', '123k', '1.23M', '45.6M']);
  });

  it('milliseconds: one decimal while small, then whole, then seconds', () => {
    expect([0.3, 8.44, 12.4, 312, 1250, 12_345].map(formatMs)).toEqual(['0.3ms', '8.4ms', '12ms', '312ms', '1.25s', '12.3s']);
  });

  it('percentages, rates and quantities', () => {
    expect([0, 0.0004, 0.004, 0.0171, 0.123, 1].map(formatPercent)).toEqual(['0%', '0.04%', '0.4%', '1.71%', '12.3%', '100%']);
    expect([formatRate(98), formatRate(12_500), formatQuantity(100), formatQuantity(0.5), formatQuantity(12_500)]).toEqual(['98.0', '12.5k', '100', '0.5', '12.5k']);
  });

  it('a clock and a breakdown', () => {
    expect([7_000, 750_000, 3_723_000].map(formatClock)).toEqual(['0:07', '12:30', '1:02:03']);
    expect(formatBreakdown({ timeout: 3, reset: 0, http_5xx: 12 })).toBe('http_5xx 12, timeout 3');
  });

  it('threshold values in their expression’s unit', () => {
    expect(formatThresholdValue('room-info.p99<200ms', 312)).toBe('312ms');
    expect(formatThresholdValue('errors.rate<0.1%', 0.004)).toBe('0.4%');
    expect(formatThresholdValue('rps>=100', 98.5)).toBe('98.5/s');
    expect(formatThresholdValue('p99<1s', null)).toBe('no data');
  });
});
