import { randomUUID } from 'node:crypto';
import { valueAtPath } from '../scenarios/json-path.js';
import { templateNamesIn } from '../scenarios/templates.js';
import { describeError, transportErrorKind } from './error-kind.js';
import type { HttpRequest, HttpResponse, Transport } from './http-transport.js';
import { feedSampler, keySampler, type WorkerShare } from './key-sampler.js';
import type { LoadPlan, PlannedJourney, PlannedStep } from './load-plan.js';
import type { ErrorKind, RequestOutcome } from './request-outcome.js';
import { compileJsonTemplate, compileTemplate, renderJsonTemplate, renderTemplate, type JsonTemplate, type Template, type Vars } from './template.js';

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
}

interface CompiledStep {
  planned: PlannedStep;
  origin: string;
  path: Template;
  headers: Array<[string, Template]>;
  json: JsonTemplate | undefined;
  body: Template | undefined;
  readBody: boolean;
  expected: ReadonlySet<number> | undefined;
  /** The request itself, when nothing in it varies: built once, its bytes kept by the transport. */
  fixed: HttpRequest | undefined;
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

// Shared by arrivals of journeys that use no values: nothing ever writes to it (captures need vars).
const NO_VARS = new Map<string, string | number>();

function splitUrl(url: string, target: string): { origin: string; path: string } {
  const absolute = /^https?:\/\//.test(url);
  const base = new URL(absolute ? url.replace(/\{\{[^}]*\}\}/g, 'x') : target);
  if (absolute) {
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    return { origin: base.origin, path: pathStart === -1 ? '/' : url.slice(pathStart) };
  }
  return { origin: base.origin, path: `${base.pathname.replace(/\/$/, '')}${url}` };
}

function namesIn(step: PlannedStep): string[] {
  return templateNamesIn([step.url, step.headers, step.json, step.body]).map((placeholder) => placeholder.name);
}

function compileJourney(journey: PlannedJourney, plan: LoadPlan): CompiledJourney {
  const used = new Set<string>();
  const steps = journey.steps.map((planned): CompiledStep => {
    const names = namesIn(planned);
    for (const name of names) used.add(name);
    const { origin, path } = splitUrl(planned.url, plan.target);
    const headers: Array<[string, Template]> = Object.entries({
      ...plan.injectedHeaders.every,
      ...(planned.write ? plan.injectedHeaders.writes : {}),
      ...planned.headers,
    }).map(([name, value]) => [name.toLowerCase(), compileTemplate(value)]);
    if (planned.json !== undefined && !headers.some(([name]) => name === 'content-type')) headers.push(['content-type', ['application/json']]);
    const step: CompiledStep = {
      planned,
      origin,
      path: compileTemplate(path),
      headers,
      json: planned.json === undefined ? undefined : compileJsonTemplate(planned.json),
      body: planned.body === undefined ? undefined : compileTemplate(planned.body),
      readBody: planned.expectContains !== undefined || Object.keys(planned.captures).length > 0,
      expected: planned.expectStatus === undefined ? undefined : new Set(planned.expectStatus),
      fixed: undefined,
    };
    if (names.length === 0) step.fixed = { ...buildRequest(step, NO_VARS), fixed: true };
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

/** The error a response amounts to, if any, and why: a status nobody expected, or a failed body check. */
function responseError(step: CompiledStep, response: HttpResponse): { kind: ErrorKind; why: string } | undefined {
  const status = response.status;
  const statusOk = step.expected === undefined ? status < 400 : step.expected.has(status);
  if (!statusOk) {
    const kind: ErrorKind = status >= 500 ? 'http_5xx' : status >= 400 ? 'http_4xx' : 'check_failed';
    return { kind, why: step.expected === undefined ? `HTTP ${status}` : `HTTP ${status}, expected ${[...step.expected].join(' or ')}` };
  }
  const contains = step.planned.expectContains;
  if (contains !== undefined && !(response.body ?? '').includes(contains)) return { kind: 'check_failed', why: `HTTP ${status}, body lacks ${JSON.stringify(contains)}` };
  return undefined;
}

const pathText = (path: ReadonlyArray<string | number>): string => `$${path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('')}`;

/** Captured values, or the capture that found nothing (the step then counts as a failed check). */
function captureValues(step: CompiledStep, body: string | undefined): Array<[string, string | number]> | { missing: string } {
  const entries = Object.entries(step.planned.captures);
  if (entries.length === 0) return [];
  let document: unknown;
  try {
    document = JSON.parse(body ?? '');
  } catch {
    return { missing: 'the body is not JSON' };
  }
  const values: Array<[string, string | number]> = [];
  for (const [name, path] of entries) {
    const value = valueAtPath(document, path);
    if (typeof value === 'string' || typeof value === 'number') values.push([name, value]);
    else if (typeof value === 'boolean') values.push([name, String(value)]);
    else if (value !== undefined && value !== null) values.push([name, JSON.stringify(value)]);
    else return { missing: `no value for capture ${name} at ${pathText(path)}` };
  }
  return values;
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
  #journeysInFlight = 0;
  #stopping = false;

  constructor(plan: LoadPlan, env: JourneyEnvironment, random: () => number, worker: WorkerShare) {
    this.#env = env;
    this.#runId = plan.runId;
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

function buildRequest(step: CompiledStep, vars: Vars): HttpRequest {
  const headers: string[] = [];
  for (const [name, template] of step.headers) headers.push(name, renderTemplate(template, vars));
  let body: string | undefined;
  if (step.json !== undefined) body = JSON.stringify(renderJsonTemplate(step.json, vars));
  else if (step.body !== undefined) body = renderTemplate(step.body, vars);
  return {
    origin: step.origin,
    path: renderTemplate(step.path, vars, encodeURIComponent),
    method: step.planned.method,
    headers,
    body,
    timeoutMs: step.planned.timeoutMs,
    readBody: step.readBody,
  };
}
