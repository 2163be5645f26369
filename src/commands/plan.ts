import { outlineLoad } from '../engine/load-outline.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { forecastScenario } from '../scenarios/forecast.js';
import { loadScenarioFile } from '../scenarios/load-scenario.js';
import { renderLoadOutline } from './load-outline-lines.js';
import { renderPlan } from './plan-table.js';

/** `live-assure plan <scenario>`: exit 0 when capacity suffices, 1 on any gap or hot-key risk. */
export async function runPlan(file: string, options: { json?: boolean }, io: Io): Promise<number> {
  const scenario = await loadScenarioFile(file, { cwd: io.cwd, env: io.env });
  const plan = forecastScenario(scenario);
  const load = outlineLoad(scenario, plan);
  if (options.json === true) io.stdout.write(`${JSON.stringify(load === undefined ? plan : { ...plan, load }, null, 2)}\n`);
  else io.stdout.write(renderPlan(plan, load === undefined ? '' : renderLoadOutline(load)));
  return plan.verdict.holds ? ExitCode.Ok : ExitCode.Finding;
}
