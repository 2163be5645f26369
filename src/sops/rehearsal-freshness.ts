/**
 * Rehearsal freshness (SOP rehearsal item A14): an SOP is only as good as its last green
 * rehearsal. `fresh` when that rehearsal ended at most `maxAgeMs` before `nowMs`, `stale` when it
 * is older, `never` when no rehearsal of it passed — whether it was never run or only ever failed
 * (`lastRun` tells those apart). Used by `sops lint` and by the post-event report, so both judge
 * the same way.
 */

export interface RehearsalRecord {
  /** The SOP id the rehearsal ran (`journal.json` `sop.id`). */
  sop: string;
  /** The journal's status; only `passed` is green. */
  status: string;
  /** When it ended (RFC 3339); a rehearsal with an unreadable time is left out rather than guessed. */
  endedAt: string;
  /** Its run directory, so the finding can point at it. */
  dir: string;
}

interface RehearsalFreshness {
  sop: string;
  state: 'fresh' | 'stale' | 'never';
  lastGreen?: { at: string; dir: string };
  lastRun?: { at: string; status: string; dir: string };
}

const GREEN = 'passed';

interface Timed {
  ms: number;
  record: RehearsalRecord;
}

/** Latest first; equal times by directory, so the answer does not depend on the order runs were read. */
function latest(runs: readonly Timed[]): Timed | undefined {
  let best: Timed | undefined;
  for (const run of runs) {
    if (best === undefined || run.ms > best.ms || (run.ms === best.ms && run.record.dir > best.record.dir)) best = run;
  }
  return best;
}

/** One entry per id of `sopIds`, in that order. Pure: the clock is an argument. */
export function rehearsalFreshness(
  sopIds: readonly string[],
  rehearsals: ReadonlyArray<{ sop: string; status: string; endedAt: string; dir: string }>,
  nowMs: number,
  maxAgeMs: number,
): Array<{ sop: string; state: 'fresh' | 'stale' | 'never'; lastGreen?: { at: string; dir: string }; lastRun?: { at: string; status: string; dir: string } }> {
  const timed: Timed[] = rehearsals.flatMap((record) => {
    const ms = Date.parse(record.endedAt);
    return Number.isFinite(ms) ? [{ ms, record }] : [];
  });
  return sopIds.map((sop): RehearsalFreshness => {
    const runs = timed.filter((run) => run.record.sop === sop);
    const lastRun = latest(runs);
    const lastGreen = latest(runs.filter((run) => run.record.status === GREEN));
    const run = lastRun === undefined ? {} : { lastRun: { at: lastRun.record.endedAt, status: lastRun.record.status, dir: lastRun.record.dir } };
    if (lastGreen === undefined) return { sop, state: 'never', ...run };
    // A rehearsal that ended "in the future" (a skewed clock) is as fresh as one that just ended.
    const state = nowMs - lastGreen.ms > maxAgeMs ? 'stale' : 'fresh';
    return { sop, state, lastGreen: { at: lastGreen.record.endedAt, dir: lastGreen.record.dir }, ...run };
  });
}
