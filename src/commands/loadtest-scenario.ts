import { dirname, resolve } from 'node:path';
import { startEmbeddedDemo, type EmbeddedDemo } from '../demo/embedded-demo.js';
import { readCsvColumn } from '../engine/csv-feed.js';
import type { LoadPlan } from '../engine/load-plan.js';
import { scenarioLoadPlan } from '../engine/scenario-load-plan.js';
import { EnvironmentError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { forecastScenario } from '../scenarios/forecast.js';
import { loadScenarioFile } from '../scenarios/load-scenario.js';
import type { Scenario } from '../scenarios/schema.js';
import { planSettings, type ParsedLoadtestFlags } from './loadtest-options.js';

async function csvFeeds(scenario: Scenario, file: string, cwd: string): Promise<Record<string, string[]>> {
  const feeds: Record<string, string[]> = {};
  for (const [key, distribution] of Object.entries(scenario.keys)) {
    const csv = distribution.csv;
    if (csv !== undefined) feeds[key] = await readCsvColumn({ key, file: csv.file, column: csv.column }, dirname(resolve(cwd, file)), file);
  }
  return feeds;
}

/** The load plan of a run, the scenario it came from, and the embedded demo it runs against, if any. */
export interface Prepared {
  plan: LoadPlan;
  scenario?: Scenario;
  demo?: EmbeddedDemo;
}

/** A scenario run's load plan; with no --target, against the embedded demo, started here. */
export async function prepareScenario(file: string, parsed: ParsedLoadtestFlags, io: Io): Promise<Prepared> {
  const scenario = await loadScenarioFile(file, { cwd: io.cwd, env: io.env });
  if (scenario.load === undefined) {
    throw new UsageError(`${file} has no load section: nothing says how hard to push`, 'add e.g. `load: { scale: 0.01, stages: [{ ramp: 30s, to: 1 }, { hold: 2m }] }` (see scenarios/demo.yaml)');
  }
  const feeds = await csvFeeds(scenario, file, io.cwd);
  let demo: EmbeddedDemo | undefined;
  let target = parsed.target;
  if (target === undefined) {
    try {
      demo = await startEmbeddedDemo(io.execPath);
    } catch (error) {
      throw new EnvironmentError(error instanceof Error ? error.message : String(error), 'give --target <base URL> to test your own platform');
    }
    target = demo.gatewayUrl;
  }
  const plan = scenarioLoadPlan(scenario, forecastScenario(scenario), { ...planSettings(parsed, target), feeds, ...(parsed.scale === undefined ? {} : { scale: parsed.scale }) });
  return { plan, scenario, ...(demo === undefined ? {} : { demo }) };
}
