import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WriteStream } from 'node:tty';
import { runLoad } from '../engine/create-run.js';
import { planEndpoints, type LoadPlan } from '../engine/load-plan.js';
import type { RunSink } from '../engine/run-events.js';
import { loadtestExitCode } from '../engine/run-exit-code.js';
import { createRunStore, inputHash, newRunDirectory, type RunManifest, type RunStore } from '../engine/run-store.js';
import { adHocLoadPlan } from '../engine/scenario-load-plan.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { didYouMean } from '../scenarios/did-you-mean.js';
import { readVersion } from '../version.js';
import { checkModeFlags, parseAdHocRequest, parseLoadtestFlags, planSettings, type LoadtestFlags } from './loadtest-options.js';
import type { Prepared } from './loadtest-scenario.js';
import { renderLoadtestSummary } from './loadtest-summary.js';

async function liveSink(flags: LoadtestFlags, io: Io): Promise<RunSink> {
  const stdout = io.stdout;
  const interactive = stdout instanceof WriteStream && flags.tui && flags.json !== true && io.env['CI'] === undefined;
  if (interactive) {
    const { createDashboardSink } = await import('../ui/dashboard-sink.js');
    return createDashboardSink(stdout);
  }
  const { createPlainReporter } = await import('../ui/plain-reporter.js');
  return createPlainReporter(flags.json === true ? io.stderr : io.stdout);
}

/** A scope in a flag's expression must name a step or journey of the run, as the scenario rules require of the file's. */
function checkScopes(plan: LoadPlan): void {
  const names = [...planEndpoints(plan), ...plan.journeys.map((journey) => journey.name)];
  for (const expr of [...plan.thresholds, ...plan.abort]) {
    if (expr.scope !== undefined && !names.includes(expr.scope)) {
      throw new UsageError(`"${expr.text}": "${expr.scope}" is neither a journey nor a step of this run${didYouMean(expr.scope, names)}`, `steps: ${planEndpoints(plan).join(', ')}`);
    }
  }
}

function openStore(dir: string, manifest: RunManifest): RunStore {
  try {
    return createRunStore(dir, manifest);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`cannot create the run directory ${dir}: ${reason}`, 'give --out a directory path that can be created');
  }
}

export async function runLoadtest(file: string | undefined, flags: LoadtestFlags, io: Io): Promise<number> {
  if (file !== undefined && flags.url !== undefined) throw new UsageError('give a scenario file or --url, not both');
  if (file === undefined && flags.url === undefined) throw new UsageError('give a scenario file (e.g. scenarios/demo.yaml) or --url <url> --rate <rps> --duration <d>');
  if (flags.url !== undefined && flags.target !== undefined) throw new UsageError('--target is the base URL of a scenario run; with --url, the URL is the target');
  checkModeFlags(flags, file !== undefined);
  const parsed = parseLoadtestFlags(flags, io.now());
  // The scenario machinery (YAML, zod, the forecast) loads only for a scenario run.
  const prepared: Prepared =
    file !== undefined
      ? await (await import('./loadtest-scenario.js')).prepareScenario(file, parsed, io)
      : { plan: adHocLoadPlan(parseAdHocRequest(flags, parsed.durationMs), planSettings(parsed, flags.url ?? '')) };
  const { plan, scenario, demo } = prepared;
  let store: RunStore | undefined;
  try {
    checkScopes(plan);
    const dir = flags.out !== undefined ? resolve(io.cwd, flags.out) : newRunDirectory(resolve(io.cwd, 'runs'), plan.name, io.now());
    if (existsSync(join(dir, 'manifest.json'))) throw new UsageError(`--out ${flags.out ?? dir}: already holds a run (manifest.json); give a new directory`);
    store = openStore(dir, {
      kind: 'loadtest',
      tool: { name: 'live-assure', version: readVersion() },
      invocation: { command: 'loadtest', args: file === undefined ? [] : [file], options: { ...flags } },
      ...(scenario === undefined ? {} : { scenario }),
      plan,
      hash: inputHash(scenario ?? plan),
      started_at: new Date(io.now()).toISOString(),
      status: 'running',
    });
    const live = await liveSink(flags, io);
    let summary;
    try {
      summary = await runLoad(plan, { sinks: [store, live], mode: parsed.workers === 1 ? { kind: 'main-thread' } : { kind: 'threads', workers: parsed.workers }, signal: io.signal, now: () => io.now(), runDir: store.dir });
    } finally {
      await live.close?.();
    }
    const exitCode = loadtestExitCode(summary);
    store.finish(exitCode);
    if (flags.json === true) io.stdout.write(`${JSON.stringify({ ...summary, run_dir: store.dir, exit_code: exitCode }, null, 2)}\n`);
    else io.stdout.write(renderLoadtestSummary(summary, store.dir, exitCode));
    return exitCode;
  } finally {
    store?.close?.();
    await demo?.stop();
  }
}
