import { randomBytes } from 'node:crypto';
import type { IsolationStore } from '../shadow/isolation-stores.js';
import { leakHits, type LeakHit } from '../shadow/leak-evidence.js';
import { searchKeyForTokens, searchKeysForTokens, type TokenHit } from '../shadow/redis-token-search.js';
import { writeRecord, type CompiledStep } from './compiled-step.js';
import type { Transport } from './http-transport.js';
import type { LoadPlan, PlannedJourney, PlannedStep } from './load-plan.js';
import { probeFailClosed } from './fail-closed-check.js';
import { exchange, probeStep, sleep } from './probe-exchange.js';
import { drawUntilUnseen, drawVars, tokensOf } from './probe-values.js';

/** What one probe found for one declared write. */
export interface KeyProbe {
  store: string;
  key: string;
  shadow_key: string;
  in_shadow: TokenHit[];
  in_production: LeakHit[];
}

export interface StepProbe {
  journey: string;
  step: string;
  ok: boolean;
  /** The values only the probe sent (its marker, fresh shadow ids), looked for in storage. */
  tokens: string[];
  status?: number;
  keys: KeyProbe[];
  /** Why the step failed, in one sentence. */
  problem?: string;
  /** The target refused the connection: nothing is listening there (an environment failure, not a finding). */
  unreachable?: boolean;
}

export interface FailClosedProbe {
  ok: boolean;
  step?: string;
  status?: number;
  problem?: string;
  /** Routing is as it was found: switched back on, or never changed. */
  restored: boolean;
  /** The target reported shadow routing off before the check, and it was left off. */
  left_off?: boolean;
}

export interface PreflightReport {
  ok: boolean;
  /** Stopped by Ctrl-C before every step was probed. */
  interrupted?: boolean;
  run_id: string;
  target: string;
  steps: StepProbe[];
  fail_closed?: FailClosedProbe;
}

/** The target's shadow routing switch, as control requests (never shadow-tagged). */
export interface RoutingSwitch {
  switchOff: PlannedStep;
  reportedOff?: PlannedStep;
  switchOn: PlannedStep;
}

export interface PreflightOptions {
  plan: LoadPlan;
  stores: readonly IsolationStore[];
  transport: Transport;
  /** How long a probe's write may take to show up in shadow storage. */
  waitMs: number;
  failClosed?: RoutingSwitch;
  /** Inclusive ranges of the keys whose values are shadow identities. */
  idRanges: Record<string, readonly [number, number]>;
  random?: () => number;
  /** Told of each finished probe, for progress. */
  onStep?(probe: StepProbe): void;
  /** Ctrl-C: no further probe is sent; routing is still switched back on. */
  signal?: AbortSignal;
}

const POLL_MS = 100;

/**
 * Before any load: one tagged probe per write step, carrying values nobody else sends, then a look
 * at each key the step declares — the values must be in the shadow key and nowhere in production.
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const { plan } = options;
  const probed = new Set<string>();
  const steps: Array<{ probe: StepProbe; sentAt: number }> = [];
  let interrupted = false;
  for (const journey of plan.journeys) {
    for (const [index, step] of journey.steps.entries()) {
      if (step.writes.length === 0 || probed.has(step.name)) continue;
      if (options.signal?.aborted === true) {
        interrupted = true;
        break;
      }
      probed.add(step.name);
      steps.push({ probe: await probeWriteStep(options, journey, index), sentAt: Date.now() });
    }
  }
  // A consumer that is not shadow-aware writes later than the request returns: production is read
  // once more when the slowest write allowed for has had its time.
  const last = Math.max(0, ...steps.filter(({ probe }) => probe.ok).map(({ sentAt }) => sentAt));
  if (last > 0 && options.signal?.aborted !== true) await sleep(last + options.waitMs - Date.now(), options.signal);
  for (const { probe } of steps) {
    if (probe.ok) await recheckProduction(options, probe);
    options.onStep?.(probe);
  }
  const report: PreflightReport = { ok: !interrupted && steps.every(({ probe }) => probe.ok), run_id: plan.runId, target: plan.target, steps: steps.map(({ probe }) => probe) };
  if (interrupted) report.interrupted = true;
  if (options.failClosed !== undefined && options.signal?.aborted !== true) {
    report.fail_closed = await probeFailClosed(options, options.failClosed);
    report.ok &&= report.fail_closed.ok;
  }
  return report;
}


/** The late look: any token in a production key now is a leak, however late it came. */
async function recheckProduction(options: PreflightOptions, probe: StepProbe): Promise<void> {
  for (const key of probe.keys) {
    const store = options.stores.find((candidate) => candidate.name === key.store);
    if (store === undefined) continue;
    key.in_production = leakHits(store.name, await searchKeyForTokens(store.redis, key.key, probe.tokens), probe.step);
    const hit = key.in_production[0];
    if (hit !== undefined && probe.ok) {
      probe.ok = false;
      probe.problem = `LEAK: the probe's ${hit.token} reached production key ${key.key} (${hit.where}) of store ${store.name} within ${options.waitMs} ms of the request`;
    }
  }
}








async function probeWriteStep(options: PreflightOptions, journey: PlannedJourney, index: number): Promise<StepProbe> {
  const { plan, transport } = options;
  const compiled = journey.steps.map((planned) => probeStep(planned, plan));
  const step = compiled[index];
  const name = journey.steps[index]?.name ?? '';
  const base: StepProbe = { journey: journey.name, step: name, ok: false, tokens: [], keys: [] };
  if (step === undefined) return { ...base, problem: 'no such step' };
  const vars = drawVars(options, journey, randomBytes(6).toString('hex'));
  const tokens = tokensOf(step, vars);
  if (tokens.length === 0) {
    return { ...base, problem: `nothing in its request is unique to the probe, so its write cannot be told apart: template {{marker}} into what it writes, or a shadow_range key (${options.plan.isolation.idKeys.join(', ') || 'none declared'})` };
  }
  // Before the journey's earlier steps go out, so they run as the same shadow user as the write.
  const redraw = await drawUntilUnseen(options, step, vars);
  if (redraw !== undefined) return { ...base, tokens: tokensOf(step, vars), problem: redraw };
  for (const earlier of compiled.slice(0, index)) {
    const { problem, unreachable } = await exchange(transport, earlier, vars);
    if (problem !== undefined) return { ...base, problem: `the journey did not reach ${name}: ${problem}`, ...(unreachable === true ? { unreachable } : {}) };
  }
  const sent = tokensOf(step, vars);
  const { status, problem, unreachable } = await exchange(transport, step, vars);
  if (problem !== undefined) {
    return { ...base, tokens: sent, ...(status === undefined ? {} : { status }), ...(unreachable === true ? { unreachable } : {}), problem: `the probe could not write, so isolation is unproven: ${problem}` };
  }
  const keys = await lookForProbe(options, step, vars, sent);
  const leaked = keys.find((key) => key.in_production.length > 0);
  const missing = keys.find((key) => key.in_shadow.length === 0);
  let verdict: string | undefined;
  if (leaked !== undefined) verdict = `LEAK: the probe's ${leaked.in_production[0]?.token} reached production key ${leaked.key} (${leaked.in_production[0]?.where}) of store ${leaked.store}`;
  else if (missing !== undefined) {
    const elsewhere = await landedElsewhere(options, missing.store, sent);
    verdict = `the probe's write did not show up in shadow key ${missing.shadow_key} of store ${missing.store} within ${options.waitMs} ms: ${elsewhere}`;
  }
  return { ...base, ok: verdict === undefined, tokens: sent, ...(status === undefined ? {} : { status }), keys, ...(verdict === undefined ? {} : { problem: verdict }) };
}

/** Keys read when looking for where a probe landed instead: enough for a test store, bounded for a big one. */
const ELSEWHERE_KEYS = 10_000;

/** Where a probe's tokens are, when not where the scenario says: a wrong declaration, or a leak. */
async function landedElsewhere(options: PreflightOptions, storeName: string, tokens: readonly string[]): Promise<string> {
  const store = options.stores.find((candidate) => candidate.name === storeName);
  if (store === undefined) return `no store ${storeName}`;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await store.redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0' && keys.length < ELSEWHERE_KEYS);
  const searches = await searchKeysForTokens(store.redis, keys.map((key) => ({ key, tokens })), { maxElements: 1000 });
  const found = searches.find((search) => search.found.length > 0);
  const looked = cursor === '0' ? `all ${keys.length} keys` : `the first ${keys.length} keys`;
  if (found === undefined) return `it is in none of ${looked} of the store either (did the step write at all, or elsewhere?)`;
  const where = `${found.key} (${found.found[0]?.where})`;
  return found.key.startsWith(store.prefix) ? `it landed in ${where} instead: fix the step's writes declaration` : `LEAK: it landed in production key ${where} instead`;
}


async function lookForProbe(options: PreflightOptions, step: CompiledStep, vars: Map<string, string | number>, tokens: string[]): Promise<KeyProbe[]> {
  const { keys } = writeRecord(step, vars);
  const deadline = Date.now() + options.waitMs;
  const probes: KeyProbe[] = [];
  for (const written of keys) {
    const store = options.stores.find((candidate) => candidate.name === written.store);
    if (store === undefined) {
      probes.push({ store: written.store, key: written.key, shadow_key: written.key, in_shadow: [], in_production: [] });
      continue;
    }
    const shadowKey = `${store.prefix}${written.key}`;
    let inShadow = (await searchKeyForTokens(store.redis, shadowKey, tokens)).found;
    // Asynchronous writes (a queue, a flusher) land later: wait for them, up to the limit.
    while (inShadow.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      inShadow = (await searchKeyForTokens(store.redis, shadowKey, tokens)).found;
    }
    const production = await searchKeyForTokens(store.redis, written.key, tokens);
    probes.push({ store: store.name, key: written.key, shadow_key: shadowKey, in_shadow: inShadow, in_production: leakHits(store.name, production, step.planned.name) });
  }
  return probes;
}





/** Every probe found nothing listening: the target is down or the URL is wrong (exit 3, not a finding). */
export function targetRefusedProbes(report: PreflightReport): boolean {
  return report.steps.length > 0 && report.steps.every((probe) => probe.unreachable === true);
}
