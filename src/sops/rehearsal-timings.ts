/**
 * A rehearsal's milestones on a monotonic clock (performance.now() ms) and the durations people
 * are judged by: time to detect, to mitigate, to recover.
 */
export interface Milestones {
  injected?: number;
  /** The first load window that broke the baseline. */
  impact?: number;
  detected?: number;
  mitigationStarted?: number;
  /** The degraded phase's hypotheses first held. */
  mitigated?: number;
  faultRemoved?: number;
  recovered?: number;
}

export interface Timings {
  /** detected − injected. */
  ttd_ms: number | null;
  /** detected − impact: how long the platform was visibly hurt before anyone knew. */
  ttd_from_impact_ms: number | null;
  /** mitigated − detected. */
  ttm_ms: number | null;
  /** mitigated − injected: the whole bad stretch. */
  ttm_total_ms: number | null;
  /** recovered − fault removed. */
  ttr_ms: number | null;
}

function between(from: number | undefined, to: number | undefined): number | null {
  if (from === undefined || to === undefined) return null;
  // A milestone before the one it is measured from means it was already so (detected before the fault): 0.
  return Math.max(0, Math.round(to - from));
}

export function rehearsalTimings(milestones: Milestones): Timings {
  return {
    ttd_ms: between(milestones.injected, milestones.detected),
    ttd_from_impact_ms: between(milestones.impact, milestones.detected),
    ttm_ms: between(milestones.detected, milestones.mitigated),
    ttm_total_ms: between(milestones.injected, milestones.mitigated),
    ttr_ms: between(milestones.faultRemoved, milestones.recovered),
  };
}
