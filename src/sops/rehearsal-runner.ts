import { runLoad, type RunWatch } from '../engine/create-run.js';
import type { LoadPlan } from '../engine/load-plan.js';
import type { RunSink, RunSummary } from '../engine/run-events.js';
import { abortHolds, type Scopes } from '../engine/threshold-evaluation.js';
import { parseThresholdExpr, type ThresholdExpr } from '../scenarios/threshold-expr.js';
import type { FaultContext } from './actions/inject-fault.js';
import { LoadRecorder } from './load-recorder.js';
import { RehearsalFlow } from './rehearsal-flow.js';
import type { RehearsalEvent, RehearsalResult, Stop } from './rehearsal-model.js';
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
  const halt = new AbortController();
  let stop: Stop | undefined;
  let abortsWatched = true;
  const haltBecause = (why: Stop): void => {
    if (stop !== undefined) return;
    stop = why;
    deps.emit({ type: 'stop', at: at(), stop: why });
    halt.abort();
  };
  const onSignal = (): void => haltBecause({ kind: 'interrupted', reason: 'interrupted (Ctrl-C)' });
  if (deps.signal.aborted) onSignal();
  deps.signal.addEventListener('abort', onSignal, { once: true });
  const maxDuration = setTimeout(() => haltBecause({ kind: 'abort', reason: `max_duration ${Math.round(sop.abort.max_duration / 1000)}s passed` }), sop.abort.max_duration);

  const scopes: Scopes = { journeyEndpoints: plan.journeyEndpoints };
  const aborts = abortExprs(sop);
  const recorder: LoadRecorder = new LoadRecorder(deps.now, (second, snapshot) => {
    deps.emit({ type: 'load', at: at(), second, snapshot });
    if (!abortsWatched) return;
    for (const expr of aborts) {
      const seconds = Math.max(1, Math.ceil((expr.forMs ?? 1000) / 1000));
      if (abortHolds(expr, recorder.window(second + 1 - seconds, seconds).records, second + 1, scopes)) haltBecause({ kind: 'abort', reason: `abort condition ${expr.text} held` });
    }
  });

  const loadStop = new AbortController();
  const load = runLoad(plan, {
    sinks: [recorder, ...deps.sinks],
    mode: { kind: 'main-thread' },
    signal: loadStop.signal,
    now: deps.wallNow,
    onResponses: (samples) => recorder.addSamples(samples),
    ...(deps.watch === undefined ? {} : { watch: deps.watch }),
  }).finally(() => recorder.end());
  // A load that fails to start is reported below; until then nobody waits on it.
  load.catch(() => undefined);

  const flow = new RehearsalFlow({ sop, recorder, scopes, emit: deps.emit, now: deps.now, startedAt, actions: deps.actions, haltSignal: halt.signal, interrupt: deps.signal, halted: () => stop, halt: haltBecause });
  let summary: RunSummary;
  try {
    await recorder.started();
    try {
      await flow.forward();
    } finally {
      abortsWatched = false;
      await flow.rollback();
    }
    await flow.recovered(stop?.kind === 'interrupted');
  } finally {
    clearTimeout(maxDuration);
    deps.signal.removeEventListener('abort', onSignal);
    loadStop.abort();
    summary = await load;
  }
  const result = flow.result(stop, Math.round(deps.now() - startedAt), recorder.arrivalRate);
  return { ...result, load: summary };
}
