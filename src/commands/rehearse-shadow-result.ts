import type { RunSummary } from '../engine/run-events.js';
import type { ShadowSummary } from '../engine/shadow-summary.js';
import { ExitCode } from '../exit-codes.js';
import type { Check, RehearsalResult } from '../sops/rehearsal-model.js';
import { rehearsalTimings } from '../sops/rehearsal-timings.js';
import { worstExitCode } from './rehearse-summary.js';

type Rehearsed = RehearsalResult & { load?: RunSummary };

/** Preflight did not prove the load's writes isolated: nothing was loaded, injected or changed. */
export function refusedByPreflight(exitCode: number): Rehearsed {
  const check: Check = { group: 'isolation', name: 'preflight', result: 'failure', message: 'the background load\'s writes were not proven isolated: nothing was rehearsed (see the shadow lines)', ms: 0 };
  const status = exitCode === ExitCode.CleanupFailed ? 'cleanup-failed' : exitCode === ExitCode.Interrupted ? 'interrupted' : exitCode === ExitCode.Environment ? 'unreachable' : 'failed';
  return { status, exitCode, checks: [check], milestones: {}, timings: rehearsalTimings({}), windows: {}, durationMs: 0, loadRps: 0 };
}

function isolationChecks(shadow: ShadowSummary): Check[] {
  const checks: Check[] = [];
  const audit = shadow.audit;
  if (shadow.sentinel_hits > 0) checks.push({ group: 'isolation', name: 'sentinel', result: 'failure', message: `${shadow.sentinel_hits} of the run's writes found in production during the load`, ms: 0 });
  if (audit !== undefined) {
    const failed = 'failed' in audit;
    const hits = failed ? 0 : audit.production_hits;
    checks.push({ group: 'isolation', name: 'audit', result: failed || hits > 0 ? 'failure' : 'passed', message: failed ? `the audit could not run: ${audit.failed}` : `${hits} production hits`, ms: 0 });
  }
  const cleanup = shadow.cleanup;
  if (cleanup !== undefined && 'failed' in cleanup) checks.push({ group: 'isolation', name: 'cleanup', result: 'error', message: `${cleanup.failed}; left: ${cleanup.left}`, ms: 0 });
  else if (cleanup !== undefined) checks.push({ group: 'isolation', name: 'cleanup', result: 'passed', message: 'kept' in cleanup ? 'kept' : 'shadow data deleted', ms: 0 });
  return checks;
}

/** The rehearsal judged with what the isolation checks found after its load: a leak is a finding, a failed cleanup exit 5. */
export function withIsolation(result: Rehearsed, found: { shadow: ShadowSummary; exitCode: number }): Rehearsed {
  const exitCode = worstExitCode([result.exitCode, found.exitCode]);
  const status = exitCode === result.exitCode ? result.status : exitCode === ExitCode.CleanupFailed ? 'cleanup-failed' : 'failed';
  return { ...result, exitCode, status, checks: [...result.checks, ...isolationChecks(found.shadow)] };
}
