import { describe, expect, test } from 'vitest';
import { formatDuration, parseDuration, parseNumberText, parseRate } from '../../src/scenarios/unit-text.js';

describe('durations', () => {
  test.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['0', 0],
    [0, 0],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['30', '30 minutes', '5x', '', 'm', -1, 30, '1h 30m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  test('formats back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(3_662_000)).toBe('1h1m2s');
  });
});

describe('rates', () => {
  test.each([
    ['120/s', 120],
    ['3/min', 0.05],
    ['0.6/min', 0.01],
    ['1/30s', 1 / 30],
    ['7200/h', 2],
    ['1_000/s', 1000],
    ['2 / 500ms', 4],
  ])('%s → %d per second', (text, perSecond) => expect(parseRate(text)).toBeCloseTo(perSecond, 12));

  test.each(['120', '120/day', '/s', 'fast', 120, '-1/s', '1/0s'])('rejects %j', (text) => {
    expect(parseRate(text)).toBeUndefined();
  });
});

describe('numbers with separators', () => {
  test.each([
    ['3_000_000', 3_000_000],
    ['1_000.5', 1000.5],
    ['-12', -12],
    ['1e6', 1_000_000],
  ])('%s → %d', (text, value) => expect(parseNumberText(text)).toBe(value));

  test.each(['3__000', '_3', '3_', '1,000', 'abc', ''])('rejects %j', (text) => expect(parseNumberText(text)).toBeUndefined());
});
