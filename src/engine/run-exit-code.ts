import { ExitCode } from '../exit-codes.js';
import type { RunSummary } from './run-events.js';

const UNREACHABLE = ['refused', 'timeout', 'reset', 'other'] as const;

/** Whether nothing ever answered: every request failed below HTTP (the target is down or unreachable). */
export function targetUnreachable(summary: RunSummary): boolean {
  const transportErrors = UNREACHABLE.reduce((sum, kind) => sum + (summary.error_kinds[kind] ?? 0), 0);
  return summary.requests > 0 && summary.responses === 0 && transportErrors === summary.errors;
}

/** DESIGN.md §3: interrupted 130, aborted 4, target never answered 3, a failed check 1, else 0. */
export function loadtestExitCode(summary: RunSummary): number {
  if (summary.stop_reason === 'interrupted') return ExitCode.Interrupted;
  if (summary.verdict === 'aborted') return ExitCode.Aborted;
  if (targetUnreachable(summary)) return ExitCode.Environment;
  return summary.verdict === 'pass' ? ExitCode.Ok : ExitCode.Finding;
}
