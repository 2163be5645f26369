import type { EmbeddedDemo } from '../demo/embedded-demo.js';
import { createHttpTransport } from '../engine/http-transport.js';
import type { LoadPlan } from '../engine/load-plan.js';
import type { IsolationEvent } from '../engine/run-events.js';
import { runPreflight, type PreflightReport } from '../engine/shadow-preflight.js';
import type { ShadowSummary } from '../engine/shadow-summary.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { ShadowRedisUnreachable } from '../shadow/fail-fast-redis.js';
import { auditIsolation } from '../shadow/isolation-audit.js';
import { connectIsolationStores, type IsolationStore } from '../shadow/isolation-stores.js';
import { describeHit } from '../shadow/leak-evidence.js';
import { LeakSentinel } from '../shadow/leak-sentinel.js';
import { cleanupShadowKeys, ShadowCleanupFailed, type CleanupResult } from '../shadow/redis-cleanup.js';
import type { WriteRecord } from '../shadow/write-record.js';
import { cleanupCommand } from './cleanup-prefix.js';
import type { IsolationPlan } from './isolation-plan.js';
import { describeAudit, describeCleanup, describeFailClosed, describePreflight, describeStepProbe } from './isolation-lines.js';

/** The isolation checks' I/O: stores, preflight, the sentinel, audit and cleanup, each telling `Emit` what it found. */

type Emit = (event: Omit<IsolationEvent, 'type' | 'at'>) => void;

function probeWrites(report: ShadowSummary['preflight']): WriteRecord[] {
  if ('skipped' in report) return [];
  return report.steps.map((probe) => ({ step: probe.step, keys: probe.keys.map((key) => ({ store: key.store, key: key.key })), tokens: probe.tokens }));
}

/** Connects to the stores the checks read; a store without a URL is the embedded demo's. */
export async function connectStores(isolation: IsolationPlan, demo: EmbeddedDemo | undefined): Promise<IsolationStore[]> {
  const resolved = isolation.stores.map((store) => {
    const url = store.url ?? demo?.redisUrl;
    if (url === undefined) {
      throw new UsageError(`shadow.stores.${store.name}.redis.url is not given: with --target, name the Redis your platform writes to`, 'set it in the scenario, or give --shadow-redis <url>; only the embedded demo (no --target) brings a Redis of its own');
    }
    return { name: store.name, prefix: store.prefix, url, ephemeral: store.url === undefined };
  });
  try {
    return await connectIsolationStores(resolved);
  } catch (error) {
    if (error instanceof ShadowRedisUnreachable) throw new EnvironmentError(`shadow store: ${error.message}`, 'the isolation checks read the store directly: start it, or fix shadow.stores');
    throw error;
  }
}

/** Preflight over a transport of its own, with a line per probe as it finishes. */
export async function preflight(plan: LoadPlan, isolation: IsolationPlan, stores: readonly IsolationStore[], emit: Emit, signal?: AbortSignal): Promise<ShadowSummary['preflight']> {
  if (isolation.writeSteps.length === 0) return { skipped: 'the scenario has no write steps' };
  if (stores.length === 0) return { skipped: 'no shadow.stores to look into (--allow-unisolated-writes)' };
  if (isolation.writeSteps.length === isolation.unisolated.length) return { skipped: 'no write step declares writes (--allow-unisolated-writes)' };
  const probed = isolation.writeSteps.length - isolation.unisolated.length;
  emit({ check: 'preflight', ok: true, message: `probing ${probed} write step${probed === 1 ? '' : 's'} against ${plan.target}${isolation.failClosed === undefined ? '' : ', then the fail-closed check'}` });
  const transport = createHttpTransport(plan.limits);
  let report: PreflightReport;
  try {
    report = await runPreflight({
      plan,
      stores,
      transport,
      waitMs: isolation.waitMs,
      idRanges: isolation.idRanges,
      ...(isolation.failClosed === undefined ? {} : { failClosed: isolation.failClosed }),
      ...(signal === undefined ? {} : { signal }),
      onStep: (probe) => emit({ check: 'preflight', ok: probe.ok, message: describeStepProbe(probe) }),
    });
  } catch (error) {
    // The probes only read Redis and send requests whose failures they report: what throws is the store.
    const reason = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError(`shadow preflight: the shadow store stopped answering: ${reason}`, 'probe data may be left in shadow storage: run `live-assure shadow cleanup` once the store is back');
  } finally {
    await transport.close();
  }
  if (report.fail_closed !== undefined) emit({ check: 'preflight', ok: report.fail_closed.ok, message: describeFailClosed(report.fail_closed) });
  emit({ check: 'preflight', ok: report.ok, message: describePreflight(report) });
  return report;
}

/** The sentinel of a run: watches while load runs, and says what it found. */
export function leakSentinel(isolation: IsolationPlan, stores: readonly IsolationStore[], emit: Emit): LeakSentinel {
  return new LeakSentinel({
    stores,
    everyMs: isolation.sentinelEveryMs,
    onLeak: (hits) => emit({ check: 'sentinel', ok: false, message: `${hits.length} production hit${hits.length === 1 ? '' : 's'}: ${hits.slice(0, 3).map(describeHit).join('; ')}` }),
    onCheckFailed: (message) => emit({ check: 'sentinel', ok: false, message }),
  });
}

/**
 * After the run, whatever ended it: audit production for the run's tokens and count its shadow
 * keys, then delete the shadow keys (unless kept). A failed cleanup is reported with what is left.
 */
export async function auditAndCleanup(
  isolation: IsolationPlan,
  stores: readonly IsolationStore[],
  sentinel: LeakSentinel | undefined,
  preflightReport: ShadowSummary['preflight'],
  markerPrefix: string,
  keepShadow: boolean,
  emit: Emit,
): Promise<Pick<ShadowSummary, 'audit' | 'cleanup'>> {
  const result: Pick<ShadowSummary, 'audit' | 'cleanup'> = {};
  // Nothing was written (or nothing said where): nothing to audit or clean.
  if (stores.length === 0 || isolation.writeSteps.length === isolation.unisolated.length) return result;
  try {
    // The probes' writes are audited with the run's: a leaked probe id is a production hit too.
    const sample = [...(sentinel?.sample ?? []), ...probeWrites(preflightReport)];
    const audit = await auditIsolation(stores, { sample, shapes: isolation.shapes, markerPrefix });
    result.audit = audit;
    emit({ check: 'audit', ok: audit.production_hits === 0, message: describeAudit(audit) });
  } catch (error) {
    const failed = error instanceof Error ? error.message : String(error);
    result.audit = { failed };
    emit({ check: 'audit', ok: false, message: `could not run: ${failed}` });
  }
  if (keepShadow) {
    result.cleanup = { kept: true };
    const later = stores.filter((store) => !store.ephemeral).map(cleanupCommand);
    emit({ check: 'cleanup', ok: true, message: `skipped (--keep-shadow)${later.length === 0 ? ': the embedded demo\'s Redis goes away with it all the same' : `; later: ${later.join('; ')}`}` });
    return result;
  }
  const cleaned: Array<CleanupResult & { store: string }> = [];
  const failures: string[] = [];
  const left: string[] = [];
  for (const store of stores) {
    try {
      cleaned.push({ ...(await cleanupShadowKeys(store.redis, { prefix: store.prefix })), store: store.name });
    } catch (error) {
      const progress = error instanceof ShadowCleanupFailed ? ` after deleting ${error.progress.deleted} keys` : '';
      const failure = `${store.name} (${store.where}): ${error instanceof Error ? error.message : String(error)}${progress}`;
      // The embedded demo's private Redis is stopped with the demo: its shadow keys go with it.
      if (store.ephemeral) emit({ check: 'cleanup', ok: true, message: `${failure}; the embedded demo's private Redis stops with it, so nothing is left` });
      else {
        failures.push(failure);
        left.push(`keys under "${store.prefix}" in ${store.name}: run \`${cleanupCommand(store)}\``);
      }
    }
  }
  if (failures.length > 0) {
    result.cleanup = { failed: failures.join('; '), left: `left behind: ${left.join('; ')}` };
    emit({ check: 'cleanup', ok: false, message: `${result.cleanup.failed}; ${result.cleanup.left}` });
    return result;
  }
  result.cleanup = { stores: cleaned };
  emit({ check: 'cleanup', ok: true, message: describeCleanup(cleaned) });
  return result;
}

