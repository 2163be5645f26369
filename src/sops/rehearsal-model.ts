import type { RunSnapshot } from '../engine/run-events.js';
import type { HeardAlert } from './alert-feed.js';
import type { HypothesisVerdict } from './phase-verdict.js';
import type { Milestones, Timings } from './rehearsal-timings.js';

/**
 * What a rehearsal tells its sinks (the live view, the journal) and what it returns. Times are
 * milliseconds since the rehearsal started, on the monotonic clock.
 */

export type PhaseName = 'baseline' | 'inject' | 'detection' | 'mitigation' | 'degraded' | 'rollback' | 'recovered';

/** Where a check belongs; JUnit classnames are `<sop>.<group>`. */
export type CheckGroup = 'precheck' | 'trigger' | 'detection' | 'mitigation' | 'verification.degraded' | 'rollback' | 'verification.recovered' | 'isolation';

export interface Check {
  group: CheckGroup;
  name: string;
  /** `failure`: the platform did not behave; `error`: a step or the tool could not run; `skipped`: not reached. */
  result: 'passed' | 'failure' | 'error' | 'skipped';
  /** One line: measured vs expected and the window, or what a step did. */
  message: string;
  ms: number;
  /** Step output (redacted). */
  output?: string;
}

export type MilestoneName = keyof Milestones;

export type Stop =
  | { kind: 'abort'; reason: string }
  | { kind: 'interrupted'; reason: string };

export type RehearsalEvent =
  | { type: 'phase'; at: number; phase: PhaseName; detail: string }
  | { type: 'step'; at: number; phase: 'mitigation' | 'rollback'; name: string }
  | { type: 'check'; at: number; check: Check }
  /** `time` is when it happened; some (impact, mitigated, recovered) are only known later, from the load's seconds. */
  | { type: 'milestone'; at: number; time: number; milestone: MilestoneName }
  | { type: 'stop'; at: number; stop: Stop }
  | { type: 'load'; at: number; second: number; snapshot: RunSnapshot }
  /** An alert the rehearsal's receiver heard change state (`detection.alert`); `at` is its notification's arrival. */
  | ({ type: 'alert'; at: number } & Omit<HeardAlert, 'at'>);

export type RehearsalStatus = 'passed' | 'failed' | 'aborted' | 'rollback-failed' | 'interrupted' | 'unreachable' | 'not-injected' | 'cleanup-failed';

export interface PhaseWindowRecord {
  /** Seconds of the background load the window covered: [from, from + seconds). */
  from_second: number;
  seconds: number;
  verdicts: HypothesisVerdict[];
}

export interface RehearsalResult {
  status: RehearsalStatus;
  exitCode: number;
  /** Why the rehearsal stopped early, if it did. */
  stop?: Stop;
  checks: Check[];
  /** Milestones, ms since the start. */
  milestones: Partial<Record<MilestoneName, number>>;
  timings: Timings;
  windows: Partial<Record<'baseline' | 'degraded' | 'recovered', PhaseWindowRecord>>;
  durationMs: number;
  /** Journey arrivals per second the load achieved on average. */
  loadRps: number;
}
