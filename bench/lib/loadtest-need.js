import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MAX_ERROR_RATE } from './targets.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SCENARIO = 'scenarios/demo.yaml';
const run = promisify(execFile);

/**
 * What a one-machine load test of SCENARIO needs beside what the slowest gateway route answered,
 * or `{ error }` when that cannot be told. `signal` ends a `live-assure plan` still running.
 */
export async function loadtestHeadroom(results, signal) {
  try {
    const need = await loadtestNeed(signal);
    // Only routes that answered: a route failing fast would look quick.
    const gatewayRuns = results.filter((result) => result.id !== 'bare' && result.tool === 'autocannon' && result.error_rate <= MAX_ERROR_RATE);
    if (gatewayRuns.length === 0) throw new Error('no gateway route answered without errors');
    const slowest = gatewayRuns.reduce((low, result) => (result.req_per_s < low.req_per_s ? result : low));
    return {
      ...need,
      slowest_route: slowest.id,
      slowest_req_per_s: slowest.req_per_s,
      headroom_over_forecast: slowest.req_per_s / need.gateway_forecast_peak_qps,
      headroom_over_loadtest: need.loadtest_peak_qps === null || need.loadtest_peak_qps === 0 ? null : slowest.req_per_s / need.loadtest_peak_qps,
    };
  } catch (error) {
    return { error: error.message };
  }
}

/**
 * The gateway's forecast peak from `live-assure plan --json`, and the peak of the scenario's own
 * load profile (`load.scale` × the highest stage level), which is what `loadtest` generates.
 */
async function loadtestNeed(signal) {
  const plan = await run(process.execPath, [join(ROOT, 'bin/live-assure.js'), 'plan', SCENARIO, '--json'], { cwd: ROOT, signal }).catch((error) => {
    // `plan` exits 1 when capacity is short, and still prints the plan.
    if (typeof error.stdout === 'string' && error.stdout.trim().startsWith('{')) return error;
    throw new Error(`live-assure plan ${SCENARIO} failed: ${(error.stderr ?? error.message).trim()}`, { cause: error });
  });
  const gateway = JSON.parse(plan.stdout).services?.find((service) => service.name === 'gateway');
  if (gateway === undefined || typeof gateway.peak_qps !== 'number') throw new Error(`live-assure plan ${SCENARIO} names no gateway peak`);

  const { parseScenario } = await import('../../dist/scenarios/load-scenario.js');
  const parsed = parseScenario(await readFile(join(ROOT, SCENARIO), 'utf8'), SCENARIO, process.env);
  const load = parsed.ok ? parsed.scenario.load : undefined;
  const level = load === undefined ? undefined : Math.max(0, ...load.stages.map((stage) => stage.to ?? 0));
  return {
    scenario: SCENARIO,
    gateway_forecast_peak_qps: gateway.peak_qps,
    gateway_forecast_peak_at_ms: gateway.at_ms,
    load_scale: load?.scale ?? null,
    load_highest_level: level ?? null,
    loadtest_peak_qps: load === undefined ? null : gateway.peak_qps * load.scale * level,
  };
}
