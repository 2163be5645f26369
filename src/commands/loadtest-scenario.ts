import { randomBytes } from 'node:crypto';
import { startEmbeddedDemo, type EmbeddedDemo } from '../demo/embedded-demo.js';
import { scenarioFeeds } from '../engine/csv-feed.js';
import type { LoadPlan } from '../engine/load-plan.js';
import { scenarioLoadPlan } from '../engine/scenario-load-plan.js';
import { EnvironmentError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { forecastScenario } from '../scenarios/forecast.js';
import { loadScenarioFile } from '../scenarios/load-scenario.js';
import type { Scenario } from '../scenarios/schema.js';
import { planSettings, type ParsedLoadtestFlags } from './loadtest-options.js';
import { needsDemoRedis, planIsolation, type IsolationFlags, type IsolationPlan } from './isolation-plan.js';

/** The load plan of a run, the scenario it came from, and the embedded demo it runs against, if any. */
export interface Prepared {
  plan: LoadPlan;
  scenario?: Scenario;
  demo?: EmbeddedDemo;
  isolation?: IsolationPlan;
}

/** What the user said about write isolation: `--allow-unisolated-writes`, `--shadow-redis`, and which command asks. */
export type ShadowFlags = Omit<IsolationFlags, 'timeoutMs'>;

/** `shadow preflight` sends no load: a scenario without a load section still has journeys to probe. */
const NO_LOAD: NonNullable<Scenario['load']> = { scale: 1, arrivals: 'constant', stages: [{ step: 1000, to: 1 }], thresholds: [], abort: [] };

/** The environment variable scenarios name the admin token by (`${env:LIVE_ASSURE_ADMIN_TOKEN}`): set here for the embedded demo. */
const ADMIN_TOKEN_ENV = 'LIVE_ASSURE_ADMIN_TOKEN';

/** A scenario run's load plan; with no --target, against the embedded demo, started here. */
export async function prepareScenario(file: string, parsed: ParsedLoadtestFlags, io: Io, shadow: ShadowFlags = { command: 'loadtest' }): Promise<Prepared> {
  if (shadow.redis !== undefined && !/^rediss?:\/\/[^/]/.test(shadow.redis)) throw new UsageError(`--shadow-redis must be a redis:// or rediss:// URL, not ${JSON.stringify(shadow.redis)}`);
  // The embedded demo's admin token is known before the file is read, so its control requests can name it.
  const adminToken = parsed.target === undefined ? (io.env[ADMIN_TOKEN_ENV] ?? randomBytes(18).toString('base64url')) : undefined;
  const env = adminToken === undefined ? io.env : { ...io.env, [ADMIN_TOKEN_ENV]: adminToken };
  const loaded = await loadScenarioFile(file, { cwd: io.cwd, env });
  const scenario = loaded.load === undefined && shadow.command === 'preflight' ? { ...loaded, load: NO_LOAD } : loaded;
  if (scenario.load === undefined) {
    throw new UsageError(`${file} has no load section: nothing says how hard to push`, 'add e.g. `load: { scale: 0.01, stages: [{ ramp: 30s, to: 1 }, { hold: 2m }] }` (see scenarios/demo.yaml)');
  }
  const feeds = await scenarioFeeds(scenario, file, io.cwd);
  const flags: IsolationFlags = { ...shadow, timeoutMs: parsed.timeoutMs };
  const forecast = forecastScenario(scenario);
  const planFor = (target: string): LoadPlan =>
    scenarioLoadPlan(scenario, forecast, { ...planSettings(parsed, target), feeds, ...(parsed.scale === undefined ? {} : { scale: parsed.scale }) });
  // Refused before the embedded demo starts: the target does not change what is unprovable.
  planIsolation(scenario, planFor(parsed.target ?? 'http://127.0.0.1/'), file, flags);
  let demo: EmbeddedDemo | undefined;
  let target = parsed.target;
  if (target === undefined) {
    const storage = !needsDemoRedis(scenario) ? [] : shadow.redis === undefined ? ['--private-redis'] : ['--redis', shadow.redis];
    const args = [...(adminToken === undefined ? [] : ['--admin-token', adminToken]), ...storage];
    try {
      demo = await startEmbeddedDemo(io.execPath, args);
    } catch (error) {
      throw new EnvironmentError(error instanceof Error ? error.message : String(error), 'give --target <base URL> to test your own platform');
    }
    target = demo.gatewayUrl;
  }
  try {
    const plan = planFor(target);
    const isolation = planIsolation(scenario, plan, file, flags);
    return { plan, scenario, isolation, ...(demo === undefined ? {} : { demo }) };
  } catch (error) {
    await demo?.stop();
    throw error;
  }
}
