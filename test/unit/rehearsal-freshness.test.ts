import { describe, expect, it } from 'vitest';
import { rehearsalFreshness } from '../../src/sops/rehearsal-freshness.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const at = (daysAgo: number): string => new Date(NOW - daysAgo * DAY).toISOString();

describe('rehearsalFreshness', () => {
  it('is fresh when the last green rehearsal is within the age, stale past it, never without one', () => {
    const result = rehearsalFreshness(
      ['fresh-sop', 'stale-sop', 'red-sop', 'unrun-sop'],
      [
        { sop: 'fresh-sop', status: 'passed', endedAt: at(3), dir: 'runs/a' },
        { sop: 'stale-sop', status: 'passed', endedAt: at(45), dir: 'runs/b' },
        { sop: 'stale-sop', status: 'failed', endedAt: at(2), dir: 'runs/c' },
        { sop: 'red-sop', status: 'aborted', endedAt: at(1), dir: 'runs/d' },
      ],
      NOW,
      30 * DAY,
    );
    expect(result).toEqual([
      { sop: 'fresh-sop', state: 'fresh', lastGreen: { at: at(3), dir: 'runs/a' }, lastRun: { at: at(3), status: 'passed', dir: 'runs/a' } },
      // A later red run does not make an SOP fresh: only green counts.
      { sop: 'stale-sop', state: 'stale', lastGreen: { at: at(45), dir: 'runs/b' }, lastRun: { at: at(2), status: 'failed', dir: 'runs/c' } },
      { sop: 'red-sop', state: 'never', lastRun: { at: at(1), status: 'aborted', dir: 'runs/d' } },
      { sop: 'unrun-sop', state: 'never' },
    ]);
  });

  it('takes the latest green run whatever the order given, and is fresh exactly at the age', () => {
    const runs = [
      { sop: 's', status: 'passed', endedAt: at(30), dir: 'runs/new' },
      { sop: 's', status: 'passed', endedAt: at(60), dir: 'runs/old' },
    ];
    expect(rehearsalFreshness(['s'], runs, NOW, 30 * DAY)[0]).toMatchObject({ state: 'fresh', lastGreen: { dir: 'runs/new' } });
    expect(rehearsalFreshness(['s'], [...runs].reverse(), NOW, 30 * DAY - 1)[0]).toMatchObject({ state: 'stale', lastGreen: { dir: 'runs/new' } });
  });

  it('leaves out rehearsals whose end time cannot be read, and counts a future one as fresh', () => {
    const result = rehearsalFreshness(
      ['a', 'b'],
      [
        { sop: 'a', status: 'passed', endedAt: 'yesterday', dir: 'runs/x' },
        { sop: 'b', status: 'passed', endedAt: at(-1), dir: 'runs/y' },
      ],
      NOW,
      DAY,
    );
    expect(result.map((entry) => entry.state)).toEqual(['never', 'fresh']);
  });
});
