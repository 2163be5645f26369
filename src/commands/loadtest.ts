import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WriteStream } from 'node:tty';
import { runLoad } from '../engine/create-run.js';
import { planEndpoints, type LoadPlan } from '../engine/load-plan.js';
import type { RunSink, RunSummary } from '../engine/run-events.js';
import { loadtestExitCode } from '../engine/run-exit-code.js';
import { createRunStore, inputHash, newRunDirectory, type RunManifest, type RunStore } from '../engine/run-store.js';
import { adHocLoadPlan } from '../engine/scenario-load-plan.js';
import { LiveAssureError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { didYouMean } from '../scenarios/did-you-mean.js';
import { readVersion } from '../version.js';
import { checkModeFlags, parseAdHocRequest, parseLoadtestFlags, planSettings, type LoadtestFlags, type ParsedLoadtestFlags } from './loadtest-options.js';
import type { Prepared } from './loadtest-scenario.js';
import { renderLoadtestSummary } from './loadtest-summary.js';
import { renderShadowSummary } from './isolation-lines.js';
import { scenarioWithoutSecrets } from './scenario-without-secrets.js';
import type { IsolationChecks, PreflightRefusal } from './loadtest-isolation.js';
import { colour } from './colour.js';
import { ExitCode } from '../exit-codes.js';
import { judgedWithShadow, refusalExitCode } from '../engine/shadow-summary.js';
import { redactRedisUrl } from '../shadow/redis-url.js';

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
      ? await (await import('./loadtest-scenario.js')).prepareScenario(file, parsed, io, { command: 'loadtest', allowUnisolated: flags.allowUnisolatedWrites === true, ...(flags.shadowRedis === undefined ? {} : { redis: flags.shadowRedis }) })
      : { plan: adHocLoadPlan(parseAdHocRequest(flags, parsed.durationMs), planSettings(parsed, flags.url ?? '')) };
  const { plan, scenario, demo, isolation } = prepared;
  let store: RunStore | undefined;
  let checks: IsolationChecks | undefined;
  const recorded = scenario === undefined ? undefined : scenarioWithoutSecrets(scenario);
  try {
    checkScopes(plan);
    const dir = flags.out !== undefined ? resolve(io.cwd, flags.out) : newRunDirectory(resolve(io.cwd, 'runs'), plan.name, io.now());
    if (existsSync(join(dir, 'manifest.json'))) throw new UsageError(`--out ${flags.out ?? dir}: already holds a run (manifest.json); give a new directory`);
    const out = flags.json === true ? io.stderr : io.stdout;
    // Stores are reached before the run directory exists: a wrong URL leaves no half-made run behind.
    if (isolation !== undefined) checks = await (await import('./loadtest-isolation.js')).startIsolationChecks(plan, isolation, demo, out, io);
    store = openStore(dir, {
      kind: 'loadtest',
      tool: { name: 'live-assure', version: readVersion() },
      // The manifest is shared with whoever reads the run: no password goes into it.
      invocation: { command: 'loadtest', args: file === undefined ? [] : [file], options: { ...flags, ...(flags.shadowRedis === undefined ? {} : { shadowRedis: redactRedisUrl(flags.shadowRedis) }) } },
      ...(recorded === undefined ? {} : { scenario: recorded }),
      plan,
      hash: inputHash(recorded ?? plan),
      started_at: new Date(io.now()).toISOString(),
      status: 'running',
    });
    return await runWithStore(plan, parsed, flags, io, store, checks);
  } catch (error) {
    // The manifest says how the run ended, also when it ended in an error.
    store?.finish(error instanceof LiveAssureError ? error.exitCode : ExitCode.Internal);
    throw error;
  } finally {
    checks?.close();
    store?.close?.();
    await demo?.stop();
  }
}

async function runWithStore(plan: LoadPlan, parsed: ParsedLoadtestFlags, flags: LoadtestFlags, io: Io, store: RunStore, checks: IsolationChecks | undefined): Promise<number> {
  checks?.record(store);
  const refused = await checks?.preflight();
  if (refused !== undefined) return finishRefused(refused, store, flags, io);
  const live = await liveSink(flags, io);
  checks?.attach(live);
  let summary: RunSummary;
  try {
    summary = await runLoad(plan, {
      sinks: [store, live],
      mode: parsed.workers === 1 ? { kind: 'main-thread' } : { kind: 'threads', workers: parsed.workers },
      signal: io.signal,
      now: () => io.now(),
      runDir: store.dir,
      ...(checks?.sentinel === undefined ? {} : { watch: checks.sentinel }),
    });
  } finally {
    checks?.attach(undefined);
    await live.close?.();
  }
  if (checks !== undefined) {
    // What the load measured is on disk before the audit and cleanup, which a second Ctrl-C may cut short.
    store.writeSummary(summary);
    summary = judgedWithShadow(summary, await checks.finish(flags.keepShadow === true));
  }
  store.writeSummary(summary);
  const exitCode = loadtestExitCode(summary);
  store.finish(exitCode);
  if (flags.json === true) io.stdout.write(`${JSON.stringify({ ...summary, run_dir: store.dir, exit_code: exitCode }, null, 2)}\n`);
  else io.stdout.write(renderLoadtestSummary(summary, store.dir, exitCode, colour(io.stdout, io.env)));
  return exitCode;
}

/** Preflight failed (or was interrupted): no load was sent; the probes' shadow data is still cleaned up. */
function finishRefused(refused: PreflightRefusal, store: RunStore, flags: LoadtestFlags, io: Io): number {
  const exitCode = refusalExitCode(refused.shadow, io.signal.aborted);
  const summary = { name: refused.name, target: refused.target, verdict: 'fail', refused_by: 'preflight', requests: 0, shadow: refused.shadow };
  store.writeSummary(summary);
  store.finish(exitCode);
  if (flags.json === true) io.stdout.write(`${JSON.stringify({ ...summary, run_dir: store.dir, exit_code: exitCode }, null, 2)}\n`);
  else {
    const why = exitCode === ExitCode.Interrupted ? 'interrupted during preflight' : exitCode === ExitCode.Environment ? `the target never answered (is it running at ${refused.target}?)` : 'write isolation not proven';
    io.stdout.write(`${renderShadowSummary(refused.shadow, colour(io.stdout, io.env))}\n  verdict: FAIL (${why}: no load was sent), exit ${exitCode}\n  run directory: ${store.dir}\n`);
  }
  return exitCode;
}
