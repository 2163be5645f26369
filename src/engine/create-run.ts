import { Worker } from 'node:worker_threads';
import type { MainMessage, ThreadInput, ThreadMessage } from './generator-thread.js';
import { createHttpTransport, type Transport } from './http-transport.js';
import { warmUpTransport } from './transport-warm-up.js';
import { LoadGenerator, type GeneratorClock, type GeneratorReport } from './load-generator.js';
import { planEndpoints, type LoadPlan, type WriteRecord } from './load-plan.js';
import type { ResponseSample } from './response-sample.js';
import { peakLevel } from './load-profile.js';
import { RunAggregator } from './run-aggregator.js';
import { epochNow, realRunClock } from './run-clock.js';
import type { RunDescription, RunEvent, RunSink, RunSummary, StopReason } from './run-events.js';
import { summarizeRun } from './run-summary.js';
import { scheduledArrivals } from './scheduled-arrivals.js';

/**
 * How generators run: worker threads; one generator on this thread (one worker: no second V8
 * isolate to start and feed); or on this thread on injected seams (tests).
 */
export type GeneratorMode =
  | { kind: 'threads'; workers: number }
  | { kind: 'main-thread' }
  | { kind: 'in-process'; transport: Transport; clock: GeneratorClock };

export interface RunDeps {
  sinks: RunSink[];
  mode: GeneratorMode;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal?: AbortSignal;
  /** Wall clock, for timestamps. */
  now(): number;
  runDir?: string;
  /** Watches the run from outside the measurements (the shadow leak sentinel). */
  watch?: RunWatch;
  /** A generator's sample of the responses of the steps `plan.sampleResponses` names, and how many it saw: once per report that saw any. */
  onResponses?: (samples: ResponseSample[], seen: number) => void;
}

export interface RunWatch {
  /** Load has started; `abort` stops the run as an abort condition would (exit 4), naming why. */
  start(abort: (expr: string) => void): void;
  /** A sample of the writes generators saw answered, and how many writes there were. */
  writes(records: WriteRecord[], count: number): void;
  /** Load has stopped: ends the watching (a check under way finishes first). */
  stop(): Promise<void>;
}

/** Once every thread is loaded, the shared run clock starts this much later: time for the start message to arrive. */
const START_DELAY_MS = 20;

interface Generators {
  stop(): void;
  /** Resolves once every generator has sent its final report. */
  done: Promise<void>;
  /** Forced end, for generators that do not finish after a stop. */
  terminate(): Promise<void>;
}

function startThreads(plan: LoadPlan, workers: number, onReport: (worker: number, report: GeneratorReport) => void, onStart: () => void): Generators {
  let ready = 0;
  // Tests run the TypeScript sources; the thread always loads the built file.
  const entry = new URL(import.meta.url.endsWith('.ts') ? '../../dist/engine/generator-thread.js' : './generator-thread.js', import.meta.url);
  const threads = Array.from({ length: workers }, (_, index) => {
    const workerData: ThreadInput = { plan, worker: { index, count: workers } };
    const thread = new Worker(entry, { workerData });
    const closed = new Promise<void>((resolve, reject) => {
      thread.on('message', (message: ThreadMessage) => {
        if (message.type === 'report') onReport(index, message.report);
        if (message.type === 'ready' && ++ready === workers) start();
      });
      thread.on('error', reject);
      thread.on('exit', () => resolve());
    });
    return { thread, closed };
  });
  const post = (message: MainMessage): void => threads.forEach(({ thread }) => thread.postMessage(message));
  const start = (): void => {
    post({ type: 'start', startEpoch: epochNow() + START_DELAY_MS });
    onStart();
  };
  return {
    stop: () => post({ type: 'stop' }),
    done: Promise.all(threads.map(({ closed }) => closed)).then(() => undefined),
    terminate: async () => {
      await Promise.all(threads.map(({ thread }) => thread.terminate()));
    },
  };
}

function startInProcess(plan: LoadPlan, transport: Transport, clock: GeneratorClock, onReport: (worker: number, report: GeneratorReport) => void): Generators {
  const generator = new LoadGenerator({ plan, worker: { index: 0, count: 1 }, transport, clock, report: (report) => onReport(0, report) });
  return { stop: () => generator.stop(), done: generator.run(), terminate: async () => undefined };
}

async function startOnMainThread(plan: LoadPlan, onReport: (worker: number, report: GeneratorReport) => void, onStart: () => void): Promise<Generators> {
  await warmUpTransport();
  const transport = createHttpTransport(plan.limits);
  const clock = realRunClock(epochNow());
  onStart();
  const generator = new LoadGenerator({ plan, worker: { index: 0, count: 1 }, transport, clock, report: (report) => onReport(0, report) });
  return { stop: () => generator.stop(), done: generator.run().then(() => transport.close()), terminate: async () => undefined };
}

function describe(plan: LoadPlan, workers: number, runDir: string | undefined): RunDescription {
  return {
    name: plan.name,
    target: plan.target,
    durationMs: plan.durationMs,
    scheduledArrivals: Math.round(scheduledArrivals(plan, plan.durationMs)),
    peakRate: plan.ratePerSecond * peakLevel(plan.segments),
    workers,
    endpoints: planEndpoints(plan),
    thresholds: plan.thresholds.map((expr) => expr.text),
    abort: plan.abort.map((expr) => expr.text),
    ...(runDir === undefined ? {} : { runDir }),
  };
}

/**
 * Runs a load plan: generators send, the aggregator merges their seconds, sinks get every event.
 * Stops early on an abort condition or the signal; in both cases requests in flight finish (or
 * time out) and the summary is still made from everything measured.
 */
export async function runLoad(plan: LoadPlan, deps: RunDeps): Promise<RunSummary> {
  const emit = (event: RunEvent): void => {
    for (const sink of deps.sinks) sink.handle(event);
  };
  const workers = deps.mode.kind === 'threads' ? deps.mode.workers : 1;
  const startedAt = deps.now();
  let stopReason: StopReason = 'completed';
  let loadStartedAt: number | undefined;
  let stoppedAt: number | undefined;
  // Filled in once the generators start; a stop can come from the aggregator before that returns.
  const running: { generators?: Generators } = {};
  const stop = (reason: StopReason): void => {
    if (stopReason !== 'completed') return;
    stopReason = reason;
    stoppedAt = deps.now();
    emit({ type: 'stopping', at: deps.now(), reason });
    // Not from inside the aggregator's own emit: a stopping generator reports at once.
    queueMicrotask(() => running.generators?.stop());
  };
  const aggregator = new RunAggregator(plan, workers, (event) => {
    emit(event);
    if (event.type === 'aborted') stop('aborted');
  }, deps.now);
  const onReport = (worker: number, report: GeneratorReport): void => {
    aggregator.add(worker, report);
    if (report.writeCount > 0) deps.watch?.writes(report.writes, report.writeCount);
    if (report.responseCount > 0) deps.onResponses?.(report.responses, report.responseCount);
  };

  const started = (): void => {
    loadStartedAt = deps.now();
    emit({ type: 'started', at: loadStartedAt, run: describe(plan, workers, deps.runDir) });
    deps.watch?.start((expr) => {
      aggregator.abortBecause(expr, Math.max(0, Math.floor((deps.now() - (loadStartedAt ?? startedAt)) / 1000)));
      stop('aborted');
    });
  };
  const onSignal = (): void => stop('interrupted');
  if (deps.signal?.aborted === true) onSignal();
  deps.signal?.addEventListener('abort', onSignal, { once: true });
  let generators: Generators;
  if (deps.mode.kind === 'threads') generators = startThreads(plan, workers, onReport, started);
  else if (deps.mode.kind === 'main-thread') generators = await startOnMainThread(plan, onReport, started);
  else {
    started();
    generators = startInProcess(plan, deps.mode.transport, deps.mode.clock, onReport);
  }
  running.generators = generators;
  // Interrupted while the generator was warming up.
  if (stopReason !== 'completed') generators.stop();
  try {
    await generators.done;
  } finally {
    deps.signal?.removeEventListener('abort', onSignal);
    await generators.terminate();
    await deps.watch?.stop();
  }
  if (deps.mode.kind === 'in-process') await deps.mode.transport.close();
  const endedAt = deps.now();
  const ranMs = stopReason === 'completed' ? plan.durationMs : (stoppedAt ?? endedAt) - (loadStartedAt ?? startedAt);
  const summary = summarizeRun(plan, aggregator, { startedAt, endedAt, ranMs, stopReason, workers });
  emit({ type: 'finished', at: deps.now(), summary });
  return summary;
}
