import type { RehearsalResult } from '../sops/rehearsal-model.js';
import { formatSeconds } from '../sops/sop-descriptions.js';
import type { RehearsalOutcome } from './rehearse-one.js';

const seconds = (ms: number | null): string => (ms === null ? '–' : formatSeconds(ms));

/** Which exit code wins when SOPs end differently: the one that most needs a person first. */
const PRECEDENCE = [5, 130, 3, 4, 1, 0];

export function worstExitCode(codes: readonly number[]): number {
  for (const code of PRECEDENCE) if (codes.includes(code)) return code;
  return codes.length === 0 ? 0 : Math.max(...codes);
}

const STATUS_WORDS: Readonly<Record<RehearsalResult['status'], string>> = {
  passed: 'PASSED',
  failed: 'FAILED',
  aborted: 'ABORTED (rolled back)',
  'rollback-failed': 'ROLLBACK FAILED: the platform may be left degraded',
  interrupted: 'INTERRUPTED (rolled back)',
  unreachable: 'TARGET UNREACHABLE',
  'not-injected': 'FAULT NOT INJECTED (the proxy or hook refused it): nothing was rehearsed',
  'cleanup-failed': 'SHADOW CLEANUP FAILED: the run\'s shadow data is left on the platform',
};

/** The lines after one rehearsal: verdict, TTD/TTM/TTR, what failed, where the journal is. */
export function renderOutcome(id: string, outcome: RehearsalOutcome): string {
  const { result } = outcome;
  const counts = ['passed', 'failure', 'error', 'skipped'].map((kind) => [kind, result.checks.filter((check) => check.result === kind).length] as const).filter(([, n]) => n > 0);
  const lines = [
    `${id}: ${STATUS_WORDS[result.status]} in ${seconds(result.durationMs)} — TTD ${seconds(result.timings.ttd_ms)}, TTM ${seconds(result.timings.ttm_ms)}, TTR ${seconds(result.timings.ttr_ms)}; checks: ${counts.map(([kind, n]) => `${n} ${kind}`).join(', ')}`,
    ...(result.stop === undefined ? [] : [`  stopped: ${result.stop.reason}`]),
    ...result.checks.filter((check) => check.result === 'failure' || check.result === 'error').map((check) => `  ✗ ${check.group}/${check.name}: ${check.message}`),
    `  run directory: ${outcome.runDir} (journal.json)`,
  ];
  return `${lines.join('\n')}\n\n`;
}

export function renderTotals(results: readonly RehearsalResult[], total: number, exitCode: number, junit: string | undefined): string {
  const byStatus = new Map<string, number>();
  for (const result of results) byStatus.set(result.status, (byStatus.get(result.status) ?? 0) + 1);
  const notRun = total - results.length;
  const parts = [...byStatus].map(([status, n]) => `${n} ${status}`).concat(notRun > 0 ? [`${notRun} not run`] : []);
  const counted = notRun > 0 ? `${results.length} of ${total} SOP${total === 1 ? '' : 's'} rehearsed` : `${total} SOP${total === 1 ? '' : 's'} rehearsed`;
  return `${counted}: ${parts.join(', ')} (exit ${exitCode})${junit === undefined ? '' : `; JUnit: ${junit}`}\n`;
}
