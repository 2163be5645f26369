import type { AuditReport } from '../shadow/isolation-audit.js';
import type { SentinelStats } from '../shadow/leak-sentinel.js';
import type { CleanupResult } from '../shadow/redis-cleanup.js';
import { ExitCode } from '../exit-codes.js';
import type { RunSummary } from './run-events.js';
import { targetRefusedProbes, type PreflightReport } from './shadow-preflight.js';

/** `summary.json`'s `shadow`: what was proven about the run's writes, before, during and after. */
export interface ShadowSummary {
  /** Write steps sent without proven isolation (`--allow-unisolated-writes`): every output says so. */
  unisolated: string[];
  preflight: PreflightReport | { skipped: string };
  /** Places the sentinel found this run's tokens in production during the run (it aborts on the first). */
  sentinel_hits: number;
  sentinel?: SentinelStats;
  audit?: AuditReport | { failed: string };
  cleanup?: { kept: true } | { stores: Array<CleanupResult & { store: string }> } | { failed: string; left: string };
}

/**
 * The load's summary with what the isolation checks found: a leak in production, or a sentinel
 * that could not watch, fails a run its thresholds would pass.
 */
export function judgedWithShadow(summary: RunSummary, shadow: ShadowSummary): RunSummary {
  const audit = shadow.audit;
  const leaked = audit !== undefined && !('failed' in audit) && audit.production_hits > 0;
  const unwatched = (shadow.sentinel?.failed_checks ?? 0) > 0;
  return { ...summary, shadow, ...((leaked || unwatched) && summary.verdict === 'pass' ? { verdict: 'fail' } : {}) };
}

/** A run preflight refused: 5 when routing or cleanup was left undone, 130 on Ctrl-C, 3 when nothing answered, else 1. */
export function refusalExitCode(shadow: ShadowSummary, interrupted: boolean): number {
  const preflight = shadow.preflight;
  const unrestored = !('skipped' in preflight) && preflight.fail_closed !== undefined && !preflight.fail_closed.restored;
  if (unrestored || (shadow.cleanup !== undefined && 'failed' in shadow.cleanup)) return ExitCode.CleanupFailed;
  if (interrupted) return ExitCode.Interrupted;
  if (!('skipped' in preflight) && targetRefusedProbes(preflight)) return ExitCode.Environment;
  return ExitCode.Finding;
}
