import type { EmbeddedDemo } from '../demo/embedded-demo.js';
import type { LoadPlan } from '../engine/load-plan.js';
import type { IsolationEvent, RunSink } from '../engine/run-events.js';
import type { ShadowSummary } from '../engine/shadow-summary.js';
import type { Io, OutputStream } from '../io.js';
import { closeIsolationStores } from '../shadow/isolation-stores.js';
import type { LeakSentinel } from '../shadow/leak-sentinel.js';
import { describeIsolation } from '../ui/event-lines.js';
import { colour } from './colour.js';
import type { IsolationPlan } from './isolation-plan.js';
import { auditAndCleanup, connectStores, leakSentinel, preflight } from './run-isolation.js';

/** Preflight failed (or Ctrl-C came during it): what to report instead of a run. */
export interface PreflightRefusal {
  name: string;
  target: string;
  shadow: ShadowSummary;
}

/** The isolation checks around one load test: preflight before, the sentinel during, audit and cleanup after. */
export interface IsolationChecks {
  /** Where events are recorded (the run directory), from when it exists. */
  record(sink: RunSink): void;
  /** Runs preflight; a refusal (no load may be sent) once the probes' shadow data is cleaned up. */
  preflight(): Promise<PreflightRefusal | undefined>;
  readonly sentinel: LeakSentinel | undefined;
  /** Where events go while the load runs (the dashboard or plain lines); undefined prints them as lines. */
  attach(sink: RunSink | undefined): void;
  finish(keepShadow: boolean): Promise<ShadowSummary>;
  close(): void;
}

export async function startIsolationChecks(plan: LoadPlan, isolation: IsolationPlan, demo: EmbeddedDemo | undefined, out: OutputStream, io: Io): Promise<IsolationChecks> {
  // Ctrl-C handlers go in now: an interrupt during preflight must still restore routing and clean up.
  const signal = io.signal;
  const paint = colour(out, io.env);
  let recorder: RunSink | undefined;
  let live: RunSink | undefined;
  const emit = (fields: Omit<IsolationEvent, 'type' | 'at'>): void => {
    const event: IsolationEvent = { type: 'isolation', at: io.now(), ...fields };
    recorder?.handle(event);
    if (live !== undefined) live.handle(event);
    else {
      const line = describeIsolation(event);
      out.write(`${event.ok ? line : paint.red(line)}\n`);
    }
  };
  const stores = await connectStores(isolation, demo);
  const sentinel = stores.length > 0 && plan.isolation.recordWrites ? leakSentinel(isolation, stores, emit) : undefined;
  let proven: ShadowSummary['preflight'] = { skipped: 'not run' };
  const summary = (rest: Partial<ShadowSummary>, watched: boolean): ShadowSummary => ({
    unisolated: isolation.unisolated,
    preflight: proven,
    sentinel_hits: sentinel?.stats.hits.length ?? 0,
    ...(sentinel === undefined || !watched ? {} : { sentinel: sentinel.stats }),
    ...rest,
  });
  const NOTE = 'shadow: auditing and cleaning up after the interrupt (Ctrl-C again abandons it, leaving the shadow data)\n';
  // Said once, whether Ctrl-C came before the audit and cleanup or while they run.
  const afterInterrupt = async <T>(work: () => Promise<T>): Promise<T> => {
    const note = (): void => void out.write(NOTE);
    if (signal.aborted) note();
    else signal.addEventListener('abort', note, { once: true });
    try {
      return await work();
    } finally {
      signal.removeEventListener('abort', note);
    }
  };
  return {
    sentinel,
    record(sink) {
      recorder = sink;
      for (const step of isolation.unisolated) emit({ check: 'unisolated', ok: false, message: `${step} is load-tested without proven isolation (--allow-unisolated-writes): its writes may reach production` });
    },
    async preflight() {
      proven = await preflight(plan, isolation, stores, emit, signal);
      if (!signal.aborted && ('skipped' in proven || proven.ok)) return undefined;
      const after = await afterInterrupt(() => auditAndCleanup(isolation, stores, undefined, proven, plan.isolation.markerPrefix, false, emit));
      return { name: plan.name, target: plan.target, shadow: summary(after, false) };
    },
    attach(sink) {
      live = sink;
    },
    async finish(keepShadow) {
      return summary(await afterInterrupt(() => auditAndCleanup(isolation, stores, sentinel, proven, plan.isolation.markerPrefix, keepShadow, emit)), true);
    },
    close() {
      closeIsolationStores(stores);
    },
  };
}
