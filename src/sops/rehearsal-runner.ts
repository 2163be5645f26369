import { runLoad, type RunWatch } from '../engine/create-run.js';
import type { LoadPlan } from '../engine/load-plan.js';
import type { RunSink, RunSummary } from '../engine/run-events.js';
import { abortHolds, type Scopes } from '../engine/threshold-evaluation.js';
import { parseThresholdExpr, type ThresholdExpr } from '../scenarios/threshold-expr.js';
import type { FaultContext } from './actions/inject-fault.js';
import type { AlertFeed, HeardAlert } from './alert-feed.js';
import { LoadRecorder } from './load-recorder.js';
import { RehearsalFlow } from './rehearsal-flow.js';
import type { RehearsalEvent, RehearsalResult, Stop } from './rehearsal-model.js';
import { contentNeedles } from './content-verdict.js';
import { formatSeconds } from './sop-descriptions.js';
import type { Sop } from './sop-schema.js';

export interface RehearsalDeps {
  sop: Sop;
  plan: LoadPlan;
  /** Where actions act; the rehearsal adds the signal that stops them. */
  actions: Omit<FaultContext, 'signal'>;
  /** Ctrl-C: the rehearsal stops where it is, rolls back, and skips the recovered window. */
  signal: AbortSignal;
  /** The run store and anything else that wants the load's own events. */
  sinks: RunSink[];
  emit(event: RehearsalEvent): void;
  /** Monotonic milliseconds (performance.now). */
  now(): number;
  /** Wall clock, for the load's timestamps. */
  wallNow(): number;
  /** Watches the load from outside (the shadow leak sentinel on a real target). */
  watch?: RunWatch;
  /** The alerts a webhook receiver hears, started before the rehearsal: required by `detection.alert`. Every change heard is emitted as an `alert` event. */
  alerts?: AlertFeed;
}

function abortExprs(sop: Sop): ThresholdExpr[] {
  return sop.abort.when.map((text) => {
    const expr = parseThresholdExpr(text);
    // The SOP rules reject what does not parse before anything runs.
    if ('error' in expr) throw new RangeError(expr.error);
    return expr;
  });
}

/**
 * Rehearses one SOP under its background load: baseline → inject → detect → mitigate → degraded →
 * rollback → recovered. Rollback always runs once anything was injected or changed, whatever
 * stopped the rehearsal (a failed check, an abort condition, the maximum duration, Ctrl-C).
 */
export async function rehearse(deps: RehearsalDeps): Promise<RehearsalResult & { load: RunSummary }> {
  const { sop, plan } = deps;
  const startedAt = deps.now();
  const at = (): number => Math.round(deps.now() - startedAt);
  // A sink that throws (a full disk under the run store) must not cut rollback short: its first error is raised once rollback is done.
  let sinkError: unknown;
  const emit = (event: RehearsalEvent): void => {
    try {
      deps.emit(event);
    } catch (error) {
      sinkError ??= error;
    }
  };
  const halt = new AbortController();
  let stop: Stop | undefined;
  let rolledBack = false;
  const haltBecause = (why: Stop): void => {
    // Ctrl-C after an abort still says the user stopped it; nothing else replaces the first reason.
    if (stop !== undefined && !(why.kind === 'interrupted' && stop.kind !== 'interrupted')) return;
    stop = why;
    emit({ type: 'stop', at: at(), stop: why });
    halt.abort();
  };
  const onSignal = (): void => haltBecause({ kind: 'interrupted', reason: 'interrupted (Ctrl-C)' });
  const scopes: Scopes = { journeyEndpoints: plan.journeyEndpoints };
  const aborts = abortExprs(sop);
  const abortSeconds = Math.max(1, ...aborts.map((expr) => Math.ceil((expr.forMs ?? 1000) / 1000)));
  const recorder = new LoadRecorder(deps.now, (second, snapshot) => {
    emit({ type: 'load', at: at(), second, snapshot });
    // Abort conditions guard the platform against the fault: from injection until rollback.
    if (!flow.injected || rolledBack) return;
    for (const expr of aborts) {
      if (abortHolds(expr, recorder.window(second + 1 - abortSeconds, abortSeconds).records, second + 1, scopes)) haltBecause({ kind: 'abort', reason: `abort condition ${expr.text} held` });
    }
  }, contentNeedles(sop));
  const flow = new RehearsalFlow({ sop, recorder, scopes, emit, now: deps.now, startedAt, actions: deps.actions, haltSignal: halt.signal, interrupt: deps.signal, halted: () => stop, halt: haltBecause, ...(deps.alerts === undefined ? {} : { alerts: deps.alerts }) });
  const emitAlert = (alert: HeardAlert): void => emit({ ...alert, type: 'alert', at: Math.round(alert.at - startedAt) });
  // Heard before this started too (the receiver is up first): the journal keeps every alert of the rehearsal.
  for (const alert of deps.alerts?.heard() ?? []) emitAlert(alert);
  const stopAlerts = deps.alerts?.onAlert(emitAlert);

  const loadStop = new AbortController();
  let maxDuration: NodeJS.Timeout | undefined;
  let load: Promise<RunSummary> | undefined;
  let summary: RunSummary | undefined;
  try {
    if (deps.signal.aborted) onSignal();
    deps.signal.addEventListener('abort', onSignal, { once: true });
    maxDuration = setTimeout(() => haltBecause({ kind: 'abort', reason: `max_duration ${formatSeconds(sop.abort.max_duration)} passed` }), sop.abort.max_duration);
    load = runLoad(plan, {
      sinks: [recorder, ...deps.sinks],
      mode: { kind: 'main-thread' },
      signal: loadStop.signal,
      now: deps.wallNow,
      onResponses: (samples) => recorder.addSamples(samples),
      ...(deps.watch === undefined ? {} : { watch: deps.watch }),
    }).finally(() => {
      recorder.end();
      // Load that stops on its own (the leak sentinel, a failed generator) leaves nothing to judge: the rehearsal stops too.
      if (!loadStop.signal.aborted && !rolledBack) haltBecause({ kind: 'abort', reason: 'the background load stopped' });
    });
    // A load that fails is reported below; until then nobody waits on it.
    load.catch(() => undefined);
    await Promise.race([recorder.started(), new Promise((resolve) => halt.signal.addEventListener('abort', resolve, { once: true }))]);
    try {
      await flow.forward();
    } finally {
      clearTimeout(maxDuration);
      await flow.rollback();
      rolledBack = true;
    }
    await flow.recovered(stop?.kind === 'interrupted');
  } finally {
    clearTimeout(maxDuration);
    stopAlerts?.();
    deps.signal.removeEventListener('abort', onSignal);
    loadStop.abort();
    summary = load === undefined ? undefined : await load;
  }
  if (sinkError !== undefined) throw sinkError;
  if (summary === undefined) throw new Error('the background load never ran');
  return { ...flow.result(stop, Math.round(deps.now() - startedAt), recorder.arrivalRate), load: summary };
}
