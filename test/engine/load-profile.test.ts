import { describe, expect, it } from 'vitest';
import { cutProfile, levelAt, peakLevel, profileLength, profileSegments } from '../../src/engine/load-profile.js';

// scenarios/demo.yaml's stages: ramp 10s to 1, hold 40s, spike 5s to 2, hold 5s.
const demoStages = [{ ramp: 10_000, to: 1 }, { hold: 40_000 }, { spike: 5_000, to: 2 }, { hold: 5_000 }];

describe('load profile', () => {
  it('turns ramp, hold, spike and step into level segments', () => {
    const segments = profileSegments(demoStages);
    expect(segments).toEqual([
      { start: 0, end: 10_000, from: 0, to: 1 },
      { start: 10_000, end: 50_000, from: 1, to: 1 },
      { start: 50_000, end: 55_000, from: 2, to: 2 },
      { start: 55_000, end: 60_000, from: 1, to: 1 },
    ]);
    expect(profileLength(segments)).toBe(60_000);
    expect(peakLevel(segments)).toBe(2);
    expect([0, 5_000, 20_000, 52_000, 59_999, 60_000].map((t) => levelAt(segments, t))).toEqual([0, 0.5, 1, 2, 1, 0]);
  });

  it('keeps a step level and ramps down from it', () => {
    const segments = profileSegments([{ step: 1_000, to: 0.5 }, { ramp: 1_000, to: 0 }]);
    expect([0, 999, 1_000, 1_500].map((t) => levelAt(segments, t))).toEqual([0.5, 0.5, 0.5, 0.25]);
  });

  it('cuts a profile at a duration, mid-ramp included, never stretching it', () => {
    const segments = profileSegments(demoStages);
    expect(cutProfile(segments, 5_000)).toEqual([{ start: 0, end: 5_000, from: 0, to: expect.closeTo(0.5, 6) }]);
    expect(profileLength(cutProfile(segments, 52_000))).toBe(52_000);
    expect(cutProfile(segments, 120_000)).toEqual(segments);
  });
});
