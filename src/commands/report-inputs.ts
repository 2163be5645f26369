import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { inputHash } from '../engine/run-store.js';
import { InvalidInputError } from '../errors.js';
import type { Io } from '../io.js';
import type { KnownSop } from '../report/alert-coverage.js';
import type { RunDirectory } from '../report/run-directory.js';
import { watchedSops } from '../report/run-files.js';
import { loadScenarioFile } from '../scenarios/load-scenario.js';
import type { Scenario } from '../scenarios/schema.js';
import { scenarioWithoutSecrets } from './scenario-without-secrets.js';
import { loadSopDirectory } from './sop-directory.js';

/**
 * The scenario behind each loadtest run, for forecast vs measured: `--scenario`, else the file
 * the run was started with, if it is still there. A run directory keeps the scenario resolved,
 * which no longer parses as YAML input; a file whose hash differs from the run's is today's
 * forecast, and the report says so.
 */
export async function scenariosOfRuns(runs: readonly RunDirectory[], given: string | undefined, io: Io, notes: string[]): Promise<Map<string, Scenario>> {
  const context = { cwd: io.cwd, env: io.env };
  const chosen = given === undefined ? undefined : await loadScenarioFile(given, context);
  const loaded = new Map<string, Scenario | undefined>();
  const scenarios = new Map<string, Scenario>();
  // Probes are set against --scenario too, when no load test brought one.
  if (chosen !== undefined) scenarios.set('--scenario', chosen);
  for (const run of runs.filter((entry) => entry.manifest.kind === 'loadtest' && entry.manifest.scenario !== undefined)) {
    const file = given ?? run.manifest.invocation.args[0];
    if (file === undefined) continue;
    let scenario = chosen ?? loaded.get(file);
    if (scenario === undefined && !loaded.has(file)) {
      try {
        scenario = existsSync(resolve(io.cwd, file)) ? await loadScenarioFile(file, context) : undefined;
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        notes.push(`${file}: no longer a valid scenario (${error.issues[0]?.message ?? 'invalid'}); no forecast for ${run.dir}`);
      }
      loaded.set(file, scenario);
    }
    if (scenario === undefined) continue;
    if (inputHash(scenarioWithoutSecrets(scenario)) !== run.manifest.hash) notes.push(`${run.dir}: ${file} has changed since the run: its forecast is the file's as it is now`);
    scenarios.set(run.dir, scenario);
  }
  return scenarios;
}

/** The SOP set the report covers: `--sops` (every SOP file in it) and every SOP a watch session watched. */
export async function knownSops(runs: readonly RunDirectory[], dir: string | undefined, io: Io): Promise<KnownSop[]> {
  const known = new Map<string, KnownSop>();
  if (dir !== undefined) for (const { sop } of await loadSopDirectory(dir, io)) known.set(sop.id, { id: sop.id, title: sop.title });
  for (const run of runs.filter((entry) => entry.manifest.kind === 'watch')) {
    const parsed = watchedSops.safeParse(run.manifest.sop);
    if (parsed.success) for (const sop of parsed.data) if (!known.has(sop.id)) known.set(sop.id, { id: sop.id, title: sop.title });
  }
  return [...known.values()];
}
