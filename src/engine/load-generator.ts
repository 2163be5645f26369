import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { newLagHistogram } from './histograms.js';
import { createArrivalSchedule } from './arrival-schedule.js';
import type { Transport } from './http-transport.js';
import { JourneyRunner } from './journey-runner.js';
import { IntervalRecorder, type IntervalRecord } from './latency-intervals.js';
import { waitingLimit, type LoadPlan, type WriteRecord } from './load-plan.js';
import type { ErrorKind } from './request-outcome.js';
import type { ResponseSample } from './response-sample.js';
import { SampleReservoir } from './sample-reservoir.js';
import { seededRandom } from '../seeded-random.js';

/** What a generator reports, about once a second and once at the end. */
export interface GeneratorReport {
  /** Every second before this one is complete: no request of this generator can still finish in it. */
  completeUpTo: number;
  final: boolean;
  records: IntervalRecord[];
  /** Scheduling lag of the arrivals started since the last report, µs, HDR compressed base64. */
  lagUs: string;
  started: number;
  /** Arrivals started, by the second they were scheduled in: `[second, count]`. */
  startedBySecond: Array<[number, number]>;
  dropped: number;
  sent: number;
  inFlight: number;
  /** The most requests that waited for a connection at once since the last report. */
  queued: number;
  /** The first error of each kind seen since the last report, described. */
  firstErrors: Array<[ErrorKind, string]>;
  /** A uniform sample of the writes answered since the last report (for the leak sentinel), and how many there were. */
  writes: WriteRecord[];
  writeCount: number;
  /** A uniform sample of the finished requests of the steps `LoadPlan.sampleResponses` names, since the last report, and how many there were. */
  responses: ResponseSample[];
  responseCount: number;
}

/** Writes sampled per report: enough for the sentinel to look at every few seconds, cheap to render. */
const WRITES_SAMPLED = 16;
/** Responses sampled per report: a share checked to a few percent each second, still small to post between threads. */
const RESPONSES_SAMPLED = 256;

/** The run clock and timers: real ones in a run, a manual one in tests. */
export interface GeneratorClock {
  /** Run-clock milliseconds (0 = the run's start; negative before it). */
  now(): number;
  setTimer(callback: () => void, ms: number): () => void;
}

export interface GeneratorOptions {
  plan: LoadPlan;
  worker: { index: number; count: number };
  transport: Transport;
  clock: GeneratorClock;
  report(report: GeneratorReport): void;
}


/** Picks journeys in proportion to their weights. */
function journeyPicker(weights: readonly number[], random: () => number): () => number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative = weights.map(((sum) => (weight: number) => (sum += weight / total))(0));
  if (weights.length === 1) return () => 0;
  return () => {
    const u = random();
    const index = cumulative.findIndex((edge) => u < edge);
    return index === -1 ? weights.length - 1 : index;
  };
}

/**
 * One worker's share of the open model. Arrivals start at their scheduled times whatever the
 * responses do; an arrival started late has its lag recorded (and its latency still counts from
 * the schedule). When the in-flight limit is reached, or too many requests already wait for a
 * connection, the arrival is dropped and counted, never silently skipped.
 */
export class LoadGenerator {
  readonly #options: GeneratorOptions;
  readonly #schedule: () => number | undefined;
  readonly #pickJourney: () => number;
  readonly #runner: JourneyRunner;
  readonly #recorder = new IntervalRecorder();
  readonly #maxWaiting: number;
  #lag = newLagHistogram();
  #started = 0;
  #startedBySecond = new Map<number, number>();
  #dropped = 0;
  #sent = 0;
  #arrival: number;
  #next: number | undefined;
  #cancelTick: (() => void) | undefined;
  #cancelReport: (() => void) | undefined;
  #firstErrors = new Map<ErrorKind, string>();
  readonly #reportedKinds = new Set<ErrorKind>();
  readonly #writes = new SampleReservoir<WriteRecord>(WRITES_SAMPLED);
  readonly #responses = new SampleReservoir<ResponseSample>(RESPONSES_SAMPLED);
  #stopped = false;
  #finished = false;
  #doneWaiters: Array<() => void> = [];

  constructor(options: GeneratorOptions) {
    this.#options = options;
    const { plan, worker } = options;
    this.#maxWaiting = waitingLimit(plan.limits);
    this.#schedule = createArrivalSchedule({ segments: plan.segments, ratePerSecond: plan.ratePerSecond, process: plan.arrivals, seed: plan.seed, worker });
    // Journey choice and key draws differ per worker; the arrival times are the shared schedule.
    const random = seededRandom(plan.seed ^ Math.imul(worker.index + 1, 0x9e3779b1));
    this.#pickJourney = journeyPicker(plan.journeys.map((journey) => journey.weight), random);
    this.#arrival = worker.index - worker.count;
    this.#runner = new JourneyRunner(
      plan,
      {
        transport: options.transport,
        now: () => options.clock.now(),
        setTimer: (callback, ms) => void options.clock.setTimer(callback, ms),
        record: (outcome) => this.#recorder.record(outcome),
        journeyEnded: () => this.#maybeFinish(),
        sent: () => (this.#sent += 1),
        firstError: (kind, description) => {
          if (!this.#reportedKinds.has(kind) && !this.#firstErrors.has(kind)) this.#firstErrors.set(kind, description);
        },
        wrote: (describe) => this.#writes.offer(describe),
        responded: (describe) => this.#responses.offer(describe),
      },
      random,
      worker,
    );
  }

  /** Starts the schedule; resolves once every arrival has run (or the run was stopped) and the last report is out. */
  run(): Promise<void> {
    // Stopped before it started: the final (empty) report is already out.
    if (this.#finished) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#doneWaiters.push(resolve));
    this.#next = this.#schedule();
    this.#scheduleReport();
    this.#tick();
    return done;
  }

  /** Stops scheduling; requests in flight finish (within their timeouts), journeys take no further step. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#runner.stop();
    this.#cancelTick?.();
    this.#next = undefined;
    this.#maybeFinish();
  }

  #tick(): void {
    const { clock, plan } = this.#options;
    const now = clock.now();
    const maxInFlight = plan.limits.maxInFlight;
    const maxWaiting = this.#maxWaiting;
    const transport = this.#options.transport;
    const lag = this.#lag;
    while (this.#next !== undefined && this.#next <= now) {
      this.#arrival += this.#options.worker.count;
      // A dropped arrival's lag is not recorded: it is counted as dropped, which says more.
      if (this.#runner.journeysInFlight >= maxInFlight || transport.waiting >= maxWaiting) this.#dropped += 1;
      else {
        lag.recordValue(Math.max(1, Math.round((now - this.#next) * 1000)));
        this.#started += 1;
        const second = Math.floor(this.#next / 1000);
        this.#startedBySecond.set(second, (this.#startedBySecond.get(second) ?? 0) + 1);
        this.#runner.start(this.#pickJourney(), this.#arrival, this.#next);
      }
      this.#next = this.#schedule();
    }
    if (this.#next === undefined) {
      this.#maybeFinish();
      return;
    }
    // Timers fire no sooner than 1 ms: arrivals due within the same millisecond go out together.
    this.#cancelTick = clock.setTimer(() => this.#tick(), Math.max(0, this.#next - now));
  }

  #scheduleReport(): void {
    const { clock } = this.#options;
    const now = clock.now();
    const nextSecond = Math.max(1, Math.floor(now / 1000) + 1);
    this.#cancelReport = clock.setTimer(() => {
      this.#report(false);
      if (!this.#finished) this.#scheduleReport();
    }, nextSecond * 1000 - now);
  }

  #report(final: boolean): void {
    const now = this.#options.clock.now();
    const completeUpTo = final ? Number.MAX_SAFE_INTEGER : Math.max(0, Math.floor(now / 1000));
    const records = this.#recorder.flush(final ? undefined : completeUpTo * 1000);
    const firstErrors = [...this.#firstErrors];
    for (const [kind] of firstErrors) this.#reportedKinds.add(kind);
    this.#firstErrors = new Map();
    const transport = this.#options.transport;
    const writes = this.#writes.take();
    const responses = this.#responses.take();
    this.#options.report({
      completeUpTo,
      final,
      records,
      lagUs: encodeIntoCompressedBase64(this.#lag),
      started: this.#started,
      startedBySecond: [...this.#startedBySecond],
      dropped: this.#dropped,
      sent: this.#sent,
      inFlight: transport.inFlight,
      queued: transport.takeMaxQueued(),
      firstErrors,
      writes: writes.items,
      writeCount: writes.seen,
      responses: responses.items,
      responseCount: responses.seen,
    });
    this.#lag = newLagHistogram();
    this.#started = 0;
    this.#startedBySecond = new Map();
    this.#dropped = 0;
    this.#sent = 0;
  }

  #maybeFinish(): void {
    if (this.#finished || this.#next !== undefined || this.#runner.journeysInFlight > 0) return;
    this.#finished = true;
    this.#cancelReport?.();
    this.#report(true);
    for (const resolve of this.#doneWaiters) resolve();
  }
}
