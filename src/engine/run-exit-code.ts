import { ExitCode } from '../exit-codes.js';
import type { RunSummary } from './run-events.js';

/** Whether the target was never there: no response at all, every request refused (a slow target times out instead). */
export function targetUnreachable(summary: RunSummary): boolean {
  return summary.requests > 0 && summary.responses === 0 && (summary.error_kinds.refused ?? 0) === summary.errors;
}

/**
 * DESIGN.md §3: shadow cleanup failed 5 (loudest), interrupted 130, target never there 3, aborted
 * 4, the shadow store gone before the audit 3, a failed check 1, else 0.
 */
export function loadtestExitCode(summary: RunSummary): number {
  const cleanup = summary.shadow?.cleanup;
  if (cleanup !== undefined && 'failed' in cleanup) return ExitCode.CleanupFailed;
  if (summary.stop_reason === 'interrupted') return ExitCode.Interrupted;
  if (targetUnreachable(summary)) return ExitCode.Environment;
  if (summary.verdict === 'aborted') return ExitCode.Aborted;
  const audit = summary.shadow?.audit;
  if (audit !== undefined && 'failed' in audit) return ExitCode.Environment;
  return summary.verdict === 'pass' ? ExitCode.Ok : ExitCode.Finding;
}
