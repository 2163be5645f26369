import type { RunWatch } from '../engine/create-run.js';
import type { RunStore } from '../engine/run-store.js';
import { refusalExitCode, type ShadowSummary } from '../engine/shadow-summary.js';
import { ExitCode } from '../exit-codes.js';
import type { Io, OutputStream } from '../io.js';
import type { RehearsalLoad } from '../sops/rehearsal-load-plan.js';
import { planIsolation } from './isolation-plan.js';
import { startIsolationChecks, type IsolationChecks } from './loadtest-isolation.js';

/** What the command line says about a --target rehearsal's writes. */
export interface RehearsalShadowFlags {
  allowUnisolated: boolean;
  /** `--shadow-redis`: the URL of stores the scenario gives none for. */
  redis?: string;
}

/** The isolation checks around a rehearsal's background load, on a platform that is not thrown away after it. */
export interface RehearsalIsolation {
  /** Preflight refused the load: its exit code; nothing may be rehearsed. */
  refused?: { exitCode: number; shadow: ShadowSummary };
  /** The leak sentinel, watching the load's writes. */
  watch?: RunWatch;
  /** Audit and cleanup once the load stopped: the exit code they call for, if any. */
  finish(): Promise<{ shadow: ShadowSummary; exitCode: number }>;
  close(): void;
}

/** Control requests (the fail-closed switch) give up after this long. */
const CONTROL_TIMEOUT_MS = 10_000;

/**
 * On a --target platform, a scenario load's writes get what a load test's get: preflight probes,
 * the sentinel, audit and cleanup. (The embedded demo's data goes with it: nothing to prove there.)
 */
export async function isolateRehearsal(load: RehearsalLoad, flags: RehearsalShadowFlags, store: RunStore, out: OutputStream, io: Io): Promise<RehearsalIsolation | undefined> {
  const { scenario, scenarioFile, plan } = load;
  if (scenario === undefined || scenarioFile === undefined) return undefined;
  const isolation = planIsolation(scenario, plan, scenarioFile, { command: 'rehearse', allowUnisolated: flags.allowUnisolated, timeoutMs: CONTROL_TIMEOUT_MS, ...(flags.redis === undefined ? {} : { redis: flags.redis }) });
  if (isolation.writeSteps.length === 0) return undefined;
  const checks: IsolationChecks = await startIsolationChecks(plan, isolation, undefined, out, io);
  checks.record(store);
  const refusal = await checks.preflight();
  return {
    ...(refusal === undefined ? {} : { refused: { exitCode: refusalExitCode(refusal.shadow, io.signal.aborted), shadow: refusal.shadow } }),
    ...(checks.sentinel === undefined ? {} : { watch: checks.sentinel }),
    async finish() {
      const shadow = await checks.finish(false);
      const audit = shadow.audit;
      const leaked = shadow.sentinel_hits > 0 || (audit !== undefined && ('failed' in audit || audit.production_hits > 0));
      const cleanupFailed = shadow.cleanup !== undefined && 'failed' in shadow.cleanup;
      return { shadow, exitCode: cleanupFailed ? ExitCode.CleanupFailed : leaked ? ExitCode.Finding : ExitCode.Ok };
    },
    close: () => checks.close(),
  };
}
