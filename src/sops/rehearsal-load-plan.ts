import { dirname, resolve } from 'node:path';
import { scenarioFeeds } from '../engine/csv-feed.js';
import type { LoadPlan } from '../engine/load-plan.js';
import type { ResponseSampling } from '../engine/response-sample.js';
import { adHocLoadPlan, scenarioLoadPlan } from '../engine/scenario-load-plan.js';
import { UsageError } from '../errors.js';
import { forecastScenario } from '../scenarios/forecast.js';
import { loadScenarioFile } from '../scenarios/load-scenario.js';
import type { Scenario } from '../scenarios/schema.js';
import { contentChecks } from './content-verdict.js';
import { AD_HOC_ENDPOINT } from './sop-scopes.js';
import type { Sop } from './sop-schema.js';


/** Time past `abort.max_duration` the load keeps going: rollback and the recovered window run under it too. */
const ROLLBACK_ALLOWANCE_MS = 120_000;

export interface RehearsalLoad {
  plan: LoadPlan;
  /** The scenario file, resolved, when the load comes from one. */
  scenarioFile?: string;
  scenario?: Scenario;
}

export interface RehearsalLoadSettings {
  sopFile: string;
  target: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  seed: number;
  runId: string;
}

const LIMITS: LoadPlan['limits'] = { connections: 64, maxInFlight: 10_000, connectTimeoutMs: 10_000, maxLagMs: 250 };
const REQUEST_TIMEOUT_MS = 10_000;

/** Which steps' responses content checks look at, and what of them. */
function sampling(sop: Sop): Record<string, ResponseSampling> {
  const wanted: Record<string, { headers: Set<string>; body: boolean }> = {};
  for (const check of contentChecks(sop)) {
    const entry = (wanted[check.of] ??= { headers: new Set(), body: false });
    for (const name of Object.keys(check.header ?? {})) entry.headers.add(name.toLowerCase());
    if (check.contains !== undefined) entry.body = true;
  }
  return Object.fromEntries(Object.entries(wanted).map(([step, entry]) => [step, { headers: [...entry.headers], body: entry.body }]));
}

/**
 * The background load: the SOP's scenario (at its scale) or URL (at its rate), level from the
 * first second and long enough for the whole rehearsal; the rehearsal stops it. The plan judges
 * nothing itself: phases judge windows of it.
 */
export async function rehearsalLoad(sop: Sop, settings: RehearsalLoadSettings): Promise<RehearsalLoad> {
  const durationMs = sop.abort.max_duration + ROLLBACK_ALLOWANCE_MS;
  const segments = [{ start: 0, end: durationMs, from: 1, to: 1 }];
  const run = { target: settings.target, runId: settings.runId, seed: settings.seed, thresholds: [], abort: [], limits: LIMITS, defaultTimeoutMs: REQUEST_TIMEOUT_MS };
  const sampled = sampling(sop);
  const finish = (plan: LoadPlan): LoadPlan => ({ ...plan, segments, durationMs, thresholds: [], abort: [], ...(Object.keys(sampled).length === 0 ? {} : { sampleResponses: sampled }) });
  if (sop.load.scenario === undefined) {
    const url = new URL(sop.load.url ?? '/', settings.target).toString();
    const plan = adHocLoadPlan({ url, method: 'GET', headers: {}, rate: sop.load.rate ?? 1, durationMs, name: AD_HOC_ENDPOINT }, { ...run, arrivals: 'constant' });
    return { plan: finish(plan) };
  }
  const scenarioFile = resolve(dirname(resolve(settings.cwd, settings.sopFile)), sop.load.scenario);
  const loaded = await loadScenarioFile(scenarioFile, { cwd: settings.cwd, env: settings.env });
  if (loaded.load === undefined && sop.load.scale === undefined) {
    throw new UsageError(`${settings.sopFile}: load.scenario ${sop.load.scenario} has no load section, so the SOP must give load.scale`);
  }
  // Stages and checks of a scenario's own load are not used here: only its scale (and arrivals), when the SOP gives none.
  const scenario: Scenario = { ...loaded, load: loaded.load ?? { scale: sop.load.scale ?? 1, arrivals: 'poisson', stages: [{ hold: 1000 }], thresholds: [], abort: [] } };
  const feeds = await scenarioFeeds(scenario, scenarioFile, settings.cwd);
  const plan = scenarioLoadPlan(scenario, forecastScenario(scenario), { ...run, feeds, ...(sop.load.scale === undefined ? {} : { scale: sop.load.scale }) });
  return { plan: finish(plan), scenarioFile, scenario };
}
