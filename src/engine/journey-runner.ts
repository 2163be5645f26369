import { randomUUID } from 'node:crypto';
import { buildRequest, captureValues, compileStep, NO_VARS, responseError, writeRecord, type CompiledStep } from './compiled-step.js';
import { describeError, transportErrorKind } from './error-kind.js';
import type { Transport } from './http-transport.js';
import { feedSampler, keySampler, type WorkerShare } from './key-sampler.js';
import type { LoadPlan, PlannedJourney, WriteRecord } from './load-plan.js';
import type { ErrorKind, RequestOutcome } from './request-outcome.js';
import { responseSample, type ResponseSample } from './response-sample.js';

/** The seams the runner needs: the run clock, a timer for think times, and what to do with results. */
export interface JourneyEnvironment {
  transport: Transport;
  /** Run-clock milliseconds. */
  now(): number;
  setTimer(callback: () => void, ms: number): void;
  /** Every finished request. */
  record(outcome: RequestOutcome): void;
  /** A request handed to the transport. */
  sent(): void;
  /** A journey ended (all steps done, or one failed, or the run is stopping). */
  journeyEnded(): void;
  /** The first error of each kind, described, for the summary. */
  firstError(kind: ErrorKind, description: string): void;
  /** A step that declares writes got its answer (or failed): `describe` names what it wrote, if the sample wants it. */
  wrote?(describe: () => WriteRecord): void;
  /** A request of a step the plan samples ended (answered or failed): `describe` makes its sample, if the sample wants it. */
  responded?(describe: () => ResponseSample): void;
}

interface CompiledJourney {
  name: string;
  steps: CompiledStep[];
  /** Keys the journey's templates draw, each once per arrival so every step sees the same room. */
  keys: string[];
  builtins: { uuid: boolean; now: boolean };
  /** Some template or capture uses per-arrival values. */
  needsVars: boolean;
}


function compileJourney(journey: PlannedJourney, plan: LoadPlan): CompiledJourney {
  const used = new Set<string>();
  const steps = journey.steps.map((planned) => {
    const { step, names } = compileStep(planned, plan);
    for (const name of names) used.add(name);
    return step;
  });
  return {
    name: journey.name,
    steps,
    keys: [...used].filter((name) => plan.keys[name] !== undefined),
    builtins: { uuid: used.has('uuid'), now: used.has('now') },
    needsVars: used.size > 0 || journey.steps.some((step) => Object.keys(step.captures).length > 0),
  };
}

/**
 * Runs journeys: each arrival draws its keys once, then its steps go in order, each sent when the
 * previous one ended (plus think time). A step's latency counts from when it was meant to be sent,
 * so a slow server cannot hide behind a late send. A failed step ends its journey: later steps
 * would run on values that were never captured.
 */
export class JourneyRunner {
  readonly #journeys: CompiledJourney[];
  readonly #samplers = new Map<string, () => string | number>();
  readonly #env: JourneyEnvironment;
  readonly #runId: string;
  readonly #markerPrefix: string;
  readonly #recordWrites: boolean;
  #journeysInFlight = 0;
  #stopping = false;

  constructor(plan: LoadPlan, env: JourneyEnvironment, random: () => number, worker: WorkerShare) {
    this.#env = env;
    this.#runId = plan.runId;
    this.#markerPrefix = plan.isolation.markerPrefix;
    this.#recordWrites = plan.isolation.recordWrites && env.wrote !== undefined;
    this.#journeys = plan.journeys.map((journey) => compileJourney(journey, plan));
    for (const [name, source] of Object.entries(plan.keys)) {
      this.#samplers.set(
        name,
        source.kind === 'feed' ? feedSampler(source.values, source.order, random, worker) : keySampler(source.distribution, random, worker),
      );
    }
  }

  /** Requests already sent still finish; no journey takes another step. */
  stop(): void {
    this.#stopping = true;
  }

  get journeysInFlight(): number {
    return this.#journeysInFlight;
  }

  /** Starts journey `journeyIndex` for arrival number `arrival` (unique in the run), meant for `intendedAt`. */
  start(journeyIndex: number, arrival: number, intendedAt: number): void {
    const journey = this.#journeys[journeyIndex];
    if (journey === undefined) return;
    this.#journeysInFlight += 1;
    if (!journey.needsVars) {
      this.#runStep(journey, 0, NO_VARS, intendedAt);
      return;
    }
    const vars = new Map<string, string | number>();
    for (const key of journey.keys) vars.set(key, this.#samplers.get(key)?.() ?? '');
    vars.set('seq', arrival);
    vars.set('run_id', this.#runId);
    if (journey.builtins.uuid) vars.set('uuid', randomUUID());
    if (journey.builtins.now) vars.set('now', Date.now());
    this.#runStep(journey, 0, vars, intendedAt);
  }

  #endJourney(): void {
    this.#journeysInFlight -= 1;
    this.#env.journeyEnded();
  }

  #runStep(journey: CompiledJourney, index: number, vars: Map<string, string | number>, intendedAt: number): void {
    const step = journey.steps[index];
    if (step === undefined || this.#stopping) {
      this.#endJourney();
      return;
    }
    const env = this.#env;
    if (step.marker) vars.set('marker', `${this.#markerPrefix}${vars.get('seq') ?? 0}.${index}`);
    const request = step.fixed ?? buildRequest(step, vars);
    env.sent();
    env.transport.send(request, (error, response) => {
      const finishedAt = env.now();
      const outcome: RequestOutcome = { endpoint: step.planned.name, intendedAt, finishedAt };
      let failed: ErrorKind | undefined;
      if (error !== undefined || response === undefined) {
        failed = transportErrorKind(error);
        env.firstError(failed, describeError(error));
      } else {
        outcome.status = response.status;
        let problem = responseError(step, response);
        if (problem === undefined) {
          const captured = captureValues(step, response.body);
          if ('missing' in captured) problem = { kind: 'check_failed', why: `HTTP ${response.status}, ${captured.missing}` };
          else for (const [name, value] of captured) vars.set(name, value);
        }
        failed = problem?.kind;
        if (problem !== undefined) env.firstError(problem.kind, `${step.planned.name}: ${problem.why}`);
      }
      if (failed !== undefined) outcome.error = failed;
      // Failed writes too: a refused request may still have written somewhere.
      if (this.#recordWrites && step.writes.length > 0) env.wrote?.(() => writeRecord(step, vars));
      const sampling = step.sampling;
      if (sampling !== undefined) env.responded?.(() => responseSample(step.planned.name, intendedAt, response, sampling.body));
      env.record(outcome);
      if (failed !== undefined) {
        this.#endJourney();
        return;
      }
      const think = step.planned.thinkMs;
      if (think > 0) env.setTimer(() => this.#runStep(journey, index + 1, vars, finishedAt + think), think);
      else this.#runStep(journey, index + 1, vars, finishedAt);
    });
  }
}

