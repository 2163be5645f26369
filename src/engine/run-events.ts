import type { IntervalRecord } from './latency-intervals.js';
import type { ErrorKind } from './request-outcome.js';
import type { ShadowSummary } from './shadow-summary.js';
import type { ThresholdResult } from './threshold-evaluation.js';

/**
 * What the engine tells its sinks (the run store, the Ink dashboard, the plain reporter). Sinks
 * only listen: everything they show is in these events, so a dashboard does no work of its own.
 */

/** Latency percentiles in milliseconds. */
export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** What is about to run. */
export interface RunDescription {
  name: string;
  /** Base URL (scenario) or request URL (ad hoc). */
  target: string;
  /** The profile's length, after any `--duration` cut. */
  durationMs: number;
  /** Arrivals the schedule holds over the whole run. */
  scheduledArrivals: number;
  /** Highest arrival rate in the profile, per second. */
  peakRate: number;
  workers: number;
  /** Step (endpoint) names, in the order the journeys first use them. */
  endpoints: string[];
  thresholds: string[];
  abort: string[];
  /** Where the run directory is, when one is written. */
  runDir?: string;
}

export interface EndpointSnapshot {
  name: string;
  /** Requests finished so far. */
  requests: number;
  errors: number;
  /** Requests finished in the last second. */
  rps: number;
  /** Over the whole run so far. */
  latency_ms: LatencyMs;
  /** p99 (ms) of each of the last 60 seconds, oldest first, for a sparkline; null for a second with no request. */
  p99_history: Array<number | null>;
}

/** The state of the run after a whole second: what a dashboard shows. */
export interface RunSnapshot {
  elapsedMs: number;
  totalMs: number;
  rate: {
    /** Arrivals per second the profile asks for now. */
    target: number;
    /** Arrivals started in the last second. */
    achieved: number;
  };
  /** Requests sent, responses received, and requests still in flight. */
  requests: number;
  responses: number;
  inFlight: number;
  /** Totals by status class (`2xx`, …, `none`) and by error kind. */
  statuses: Record<string, number>;
  errors: Partial<Record<ErrorKind, number>>;
  latency_ms: LatencyMs;
  endpoints: EndpointSnapshot[];
  /** How late the generator started arrivals: the last second's p99, and the worst so far. */
  lag_ms: { p99: number; max: number };
  /** Arrivals not started because a limit was reached: journeys in flight, or requests waiting for a connection (never silent: see warnings). */
  dropped: number;
  /** Thresholds over everything measured so far. */
  thresholds: ThresholdResult[];
  /** Why the measured load may be less than asked (generator lag, in-flight limit), newest last. */
  warnings: string[];
}

/** Why the load may be less (or later) than asked: scheduling lag, dropped arrivals, or every connection busy. */
export type WarningReason = 'lag' | 'dropped' | 'pool';

export type StopReason = 'completed' | 'aborted' | 'interrupted';

export type RunEvent =
  | { type: 'started'; at: number; run: RunDescription }
  | { type: 'second'; at: number; second: number; records: IntervalRecord[]; snapshot: RunSnapshot }
  | { type: 'warning'; at: number; reason: WarningReason; message: string }
  | { type: 'threshold'; at: number; expr: string; value: number | null; pass: boolean }
  | { type: 'aborted'; at: number; expr: string; value: number | null }
  | { type: 'stopping'; at: number; reason: StopReason }
  | IsolationEvent
  | { type: 'finished'; at: number; summary: RunSummary };

/** A write-isolation check: preflight before the load, the sentinel during it, audit and cleanup after. */
export interface IsolationEvent {
  type: 'isolation';
  at: number;
  check: 'preflight' | 'sentinel' | 'audit' | 'cleanup' | 'unisolated';
  ok: boolean;
  message: string;
}

export type Verdict = 'pass' | 'fail' | 'aborted';

/** `summary.json`: the whole run in one object. */
export interface RunSummary {
  name: string;
  target: string;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  stop_reason: StopReason;
  /** Requests sent. */
  requests: number;
  responses: number;
  /** Requests that failed (any error kind). */
  errors: number;
  error_kinds: Partial<Record<ErrorKind, number>>;
  statuses: Record<string, number>;
  /** Journey arrivals per second: scheduled by the profile, and started. */
  rate: { target: number; achieved: number };
  arrivals: { scheduled: number; started: number; dropped: number };
  latency_ms: LatencyMs;
  generator_lag_ms: { p50: number; p99: number; max: number };
  /** Whether the generator kept up with the schedule; when not, why (also printed loudly). */
  generator: { kept_up: boolean; warnings: string[] };
  endpoints: Record<string, { requests: number; errors: number; latency_ms: LatencyMs }>;
  thresholds: ThresholdResult[];
  abort?: { expr: string; value: number | null; at_ms: number };
  verdict: Verdict;
  /** Stopped before the profile's end (interrupted or aborted): the verdict covers what ran. */
  partial: boolean;
  /** The first error of each kind, described (`first refused: ECONNREFUSED: connect …`). */
  first_errors?: string[];
  /** Write isolation: preflight, sentinel, audit, cleanup (scenario runs). */
  shadow?: ShadowSummary;
}

/** A consumer of run events. `close` runs once after `finished` (or after a failure), to flush. */
export interface RunSink {
  handle(event: RunEvent): void;
  close?(): Promise<void> | void;
}
