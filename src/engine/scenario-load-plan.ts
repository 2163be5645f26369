import type { Plan } from '../scenarios/forecast.js';
import { parseJsonPath, type JsonPath } from '../scenarios/json-path.js';
import type { Scenario, Step } from '../scenarios/schema.js';
import type { HttpMethod } from '../scenarios/http-methods.js';
import { stepMethodsGiven } from '../scenarios/step-request.js';
import { parseThresholdExpr, type ThresholdExpr } from '../scenarios/threshold-expr.js';
import { cutProfile, profileLength, profileSegments, type LevelSegment } from './load-profile.js';
import type { KeySource, LoadPlan, PlannedStep } from './load-plan.js';
import { markerPrefix, shadowTagHeaders } from '../shadow/run-tagging.js';
import { DEFAULT_SHADOW_HEADER } from '../shadow/shadow-tag.js';

export interface RunSettings {
  target: string;
  runId: string;
  seed: number;
  /** `--duration`: cuts the profile (never stretches it). */
  durationMs?: number;
  /** Flag thresholds and abort conditions, added to the scenario's. */
  thresholds: ThresholdExpr[];
  abort: ThresholdExpr[];
  limits: LoadPlan['limits'];
  defaultTimeoutMs: number;
  arrivals?: LoadPlan['arrivals'];
}

export interface ScenarioRunSettings extends RunSettings {
  /** `--scale`, instead of the scenario's `load.scale`. */
  scale?: number;
  /** Values of each CSV-fed key, read by the caller. */
  feeds: Record<string, string[]>;
}

function parsed(text: string): ThresholdExpr {
  const expr = parseThresholdExpr(text);
  // The scenario rules and the flag parser have already rejected bad expressions.
  if ('error' in expr) throw new RangeError(expr.error);
  return expr;
}

/** The error rate against the SLO, else 1%. */
function defaultThreshold(errorRate: number | undefined): ThresholdExpr {
  return parsed(`errors.rate<${Math.round((errorRate ?? 0.01) * 1e6) / 1e4}%`);
}

/** Latency thresholds alone would pass a run where every request fails: a run-wide error rate always applies. */
function withErrorRate(thresholds: ThresholdExpr[], sloErrorRate: number | undefined): ThresholdExpr[] {
  const hasErrorRate = thresholds.some((expr) => expr.scope === undefined && expr.metric.kind === 'error-rate');
  return hasErrorRate ? thresholds : [...thresholds, defaultThreshold(sloErrorRate)];
}

function capturesOf(step: Step): Record<string, JsonPath> {
  const captures: Record<string, JsonPath> = {};
  for (const [name, text] of Object.entries(step.capture ?? {})) {
    const path = parseJsonPath(text);
    if ('error' in path) throw new RangeError(path.error);
    captures[name] = path;
  }
  return captures;
}

/** The request fields a step and a control request share (`shadow.fail_closed`), as a planned step that writes nothing. */
export function plannedRequest(request: Pick<Step, HttpMethod | 'headers' | 'json' | 'body' | 'expect'>, name: string, timeoutMs: number): PlannedStep {
  const method = stepMethodsGiven(request)[0] ?? 'GET';
  const status = request.expect?.status;
  return {
    name,
    method,
    url: request[method] ?? '/',
    headers: request.headers ?? {},
    ...(request.json === undefined ? {} : { json: request.json }),
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(status === undefined ? {} : { expectStatus: Array.isArray(status) ? status : [status] }),
    ...(request.expect?.contains === undefined ? {} : { expectContains: request.expect.contains }),
    captures: {},
    timeoutMs,
    thinkMs: 0,
    write: false,
    writes: [],
  };
}

function planStep(step: Step, defaultTimeoutMs: number, stores: readonly string[]): PlannedStep {
  return {
    ...plannedRequest(step, step.name, step.timeout ?? defaultTimeoutMs),
    captures: capturesOf(step),
    thinkMs: step.think ?? 0,
    write: stepWrites(step),
    writes: step.writes.map((write) => ({ store: write.store ?? onlyStore(stores), key: write.redis })),
  };
}

/** A step writes when it says so, declares writes, or is neither a GET nor a HEAD: unsure means isolated. */
function stepWrites(step: Step): boolean {
  if (step.write !== undefined) return step.write;
  return step.writes.length > 0 || stepMethodsGiven(step).some((method) => method !== 'GET' && method !== 'HEAD');
}

// The scenario rules require `store:` when there are several; with none, the write has nowhere to be looked for.
function onlyStore(stores: readonly string[]): string {
  return stores.length === 1 ? (stores[0] ?? '') : '';
}

function cut(segments: LevelSegment[], durationMs: number | undefined): LevelSegment[] {
  return durationMs === undefined ? segments : cutProfile(segments, durationMs);
}

/** Each journey's arrivals per second at level 1, before scaling: its forecast peak. */
export function journeyWeights(scenario: Scenario, forecast: Plan): Array<{ name: string; weight: number }> {
  return Object.keys(scenario.journeys).map((name) => ({ name, weight: forecast.journeys.find((peak) => peak.name === name)?.peak_qps ?? 0 }));
}

/**
 * The scenario's load as a plan: level 1 runs every journey at its forecast peak rate times the
 * scale (each journey at its own peak, which is the conservative mix), over the stages.
 */
export function scenarioLoadPlan(scenario: Scenario, forecast: Plan, settings: ScenarioRunSettings): LoadPlan {
  const load = scenario.load;
  if (load === undefined) throw new RangeError('the scenario has no load section');
  const scale = settings.scale ?? load.scale;
  const segments = cut(profileSegments(load.stages), settings.durationMs);
  const journeys = journeyWeights(scenario, forecast).map(({ name, weight }) => ({
    name,
    weight,
    steps: (scenario.journeys[name]?.steps ?? []).map((step) => planStep(step, settings.defaultTimeoutMs, Object.keys(scenario.shadow.stores))),
  }));
  const keys: Record<string, KeySource> = {};
  for (const [name, distribution] of Object.entries(scenario.keys)) {
    const csv = distribution.csv;
    keys[name] = csv === undefined ? { kind: 'distribution', distribution } : { kind: 'feed', values: settings.feeds[name] ?? [], order: csv.order };
  }
  const thresholds = [...load.thresholds.map(parsed), ...settings.thresholds];
  return {
    name: scenario.name,
    target: settings.target,
    runId: settings.runId,
    seed: settings.seed,
    segments,
    durationMs: profileLength(segments),
    ratePerSecond: scale * journeys.reduce((sum, journey) => sum + journey.weight, 0),
    arrivals: settings.arrivals ?? load.arrivals,
    journeys,
    keys,
    thresholds: withErrorRate(thresholds, scenario.slo?.error_rate),
    abort: [...load.abort.map(parsed), ...settings.abort],
    journeyEndpoints: Object.fromEntries(journeys.map((journey) => [journey.name, journey.steps.map((step) => step.name)])),
    injectedHeaders: { every: shadowTagHeaders(scenario.shadow.header, settings.runId), writes: {} },
    isolation: {
      markerPrefix: markerPrefix(settings.runId),
      idKeys: Object.entries(scenario.keys)
        .filter(([, distribution]) => distribution.shadow_range !== undefined)
        .map(([name]) => name),
      recordWrites: Object.keys(scenario.shadow.stores).length > 0 && journeys.some((journey) => journey.steps.some((step) => step.writes.length > 0)),
    },
    limits: settings.limits,
  };
}


export interface AdHocRequest {
  url: string;
  method: PlannedStep['method'];
  body?: string;
  headers: Record<string, string>;
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** Endpoint name in thresholds and output. */
  name: string;
}

/** One request at a constant rate: `loadtest --url … --rate … --duration …`. */
export function adHocLoadPlan(request: AdHocRequest, settings: RunSettings): LoadPlan {
  const segments: LevelSegment[] = [{ start: 0, end: request.durationMs, from: 1, to: 1 }];
  const step: PlannedStep = {
    name: request.name,
    method: request.method,
    url: request.url,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    captures: {},
    timeoutMs: settings.defaultTimeoutMs,
    thinkMs: 0,
    write: false,
    writes: [],
  };
  return {
    name: request.name,
    target: request.url,
    runId: settings.runId,
    seed: settings.seed,
    segments,
    durationMs: request.durationMs,
    ratePerSecond: request.rate,
    arrivals: settings.arrivals ?? 'constant',
    journeys: [{ name: request.name, weight: 1, steps: [step] }],
    keys: {},
    thresholds: withErrorRate(settings.thresholds, undefined),
    abort: settings.abort,
    journeyEndpoints: {},
    injectedHeaders: { every: shadowTagHeaders(DEFAULT_SHADOW_HEADER, settings.runId), writes: {} },
    isolation: { markerPrefix: markerPrefix(settings.runId), idKeys: [], recordWrites: false },
    limits: settings.limits,
  };
}
