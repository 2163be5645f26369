import type { JsonPath } from '../scenarios/json-path.js';
import type { HttpMethod } from '../scenarios/http-methods.js';
import type { KeyDistribution } from '../scenarios/schema.js';
import type { ThresholdExpr } from '../scenarios/threshold-expr.js';
import type { LevelSegment } from './load-profile.js';
import type { ResponseSampling } from './response-sample.js';

/**
 * What `loadtest` runs, as plain data: it crosses into worker threads by structured clone and is
 * written to the manifest, so a run can be read back exactly as it was asked for.
 */
export interface PlannedStep {
  name: string;
  method: HttpMethod;
  /** A path (joined to the target) or an absolute URL, with `{{name}}` templates. */
  url: string;
  headers: Record<string, string>;
  json?: unknown;
  body?: string;
  /** Accepted statuses; none given means any status below 400. */
  expectStatus?: number[];
  expectContains?: string;
  captures: Record<string, JsonPath>;
  timeoutMs: number;
  thinkMs: number;
  /** Writes are shadow-tagged (headers in `LoadPlan.injectedHeaders.writes`). */
  write: boolean;
  /** What the step writes, by production name (a template over the request's values). */
  writes: PlannedWrite[];
}

export interface PlannedWrite {
  /** A name of `shadow.stores`. */
  store: string;
  /** Production key name, with `{{name}}` templates. */
  key: string;
}

export type { WriteRecord } from '../shadow/write-record.js';

export interface PlannedJourney {
  name: string;
  /** Arrivals per second at level 1 (before scaling): the journey's share of the mix. */
  weight: number;
  steps: PlannedStep[];
}

export type KeySource =
  | { kind: 'distribution'; distribution: KeyDistribution }
  | { kind: 'feed'; values: string[]; order: 'sequence' | 'random' };

export interface LoadPlan {
  name: string;
  /** Base URL the steps' paths are joined to. */
  target: string;
  runId: string;
  /** Seeds arrivals, journey choice and key draws: the same seed replays the same run. */
  seed: number;
  segments: LevelSegment[];
  durationMs: number;
  /** Journey arrivals per second at level 1 (already scaled). */
  ratePerSecond: number;
  arrivals: 'poisson' | 'constant';
  journeys: PlannedJourney[];
  keys: Record<string, KeySource>;
  thresholds: ThresholdExpr[];
  abort: ThresholdExpr[];
  /** Step names of each journey, for journey-scoped thresholds. */
  journeyEndpoints: Record<string, string[]>;
  /** Headers added to every request (the shadow tag and baggage), and to write steps only. */
  injectedHeaders: { every: Record<string, string>; writes: Record<string, string> };
  isolation: {
    /** `{{marker}}` is this, then the arrival and step numbers: unique to the run and request. */
    markerPrefix: string;
    /** Keys drawn from a `shadow_range`: their values are shadow identities, looked for in production. */
    idKeys: string[];
    /** Generators report samples of their writes (there are stores to watch). */
    recordWrites: boolean;
  };
  /**
   * Steps (by name) whose responses generators sample for content checks: every finished request
   * of a named step is offered to a uniform sample of at most 256 per report (the report's
   * `responses`), with the headers named (any case) and, if asked, the first 4 KiB of the body.
   * Absent or empty: no step pays anything for it.
   */
  sampleResponses?: Record<string, ResponseSampling>;
  limits: {
    /** Connections per origin per worker. */
    connections: number;
    /** Journeys in flight per worker before new arrivals are dropped (and reported). */
    maxInFlight: number;
    connectTimeoutMs: number;
    /** Scheduling lag above which the generator counts as not keeping up. */
    maxLagMs: number;
  };
}

/**
 * Requests waiting for a free connection per worker before new arrivals are dropped. Enough to
 * ride out a stalled server for a second or so with the latency counted from the schedule; past
 * that the queue only turns into memory and GC work while no more load reaches the target.
 */
export function waitingLimit(limits: LoadPlan['limits']): number {
  return Math.max(1000, 4 * limits.connections);
}

/** Why arrivals get dropped, and what to raise, for warnings. */
export function droppedBecause(limits: LoadPlan['limits']): string {
  return `${limits.maxInFlight} journeys in flight or ${waitingLimit(limits)} requests waiting for one of ${limits.connections} connections, per worker (raise --connections, --max-in-flight or --workers)`;
}

/** Endpoint names in the order journeys first use them. */
export function planEndpoints(plan: Pick<LoadPlan, 'journeys'>): string[] {
  const names = new Set<string>();
  for (const journey of plan.journeys) for (const step of journey.steps) names.add(step.name);
  return [...names];
}
