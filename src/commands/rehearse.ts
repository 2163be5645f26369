import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { newRunDirectory } from '../engine/run-store.js';
import { LiveAssureError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { createRedactor, referencedSecrets } from '../sops/actions/redaction.js';
import type { LoadPlan } from '../engine/load-plan.js';
import { junitXml, type JunitSuite } from '../sops/junit-xml.js';
import { loadSopFiles, type LoadedSop } from '../sops/load-sop.js';
import { rehearsalLoad } from '../sops/rehearsal-load-plan.js';
import { notRehearsedSuite } from '../sops/rehearsal-report.js';
import { parseFlagCount } from './flag-numbers.js';
import { planIsolation } from './isolation-plan.js';
import { alertReceiverPlan } from './rehearsal-alerts.js';
import { REHEARSAL_PROXIES } from './rehearsal-platform.js';
import { didYouMean } from '../scenarios/did-you-mean.js';
import { redactRedisUrl } from '../shadow/redis-url.js';
import { rehearsalView, type RehearsalView } from './rehearsal-view.js';
import { dryRunTimeline } from './rehearse-dry-run.js';
import { rehearseOne, type RehearsalOutcome } from './rehearse-one.js';
import { renderOutcome, renderTotals, worstExitCode } from './rehearse-summary.js';
import { terminalAsk } from './terminal-ask.js';

export interface RehearseFlags {
  target?: string;
  toxiproxy?: string;
  junit?: string;
  out?: string;
  dryRun?: boolean;
  seed?: string;
  tui: boolean;
  json?: boolean;
  shadowRedis?: string;
  allowUnisolatedWrites?: boolean;
}

/** The environment variable SOPs name the admin token by: set here for the embedded demo. */
const ADMIN_TOKEN_ENV = 'LIVE_ASSURE_ADMIN_TOKEN';

/** Rehearsals are reproducible by default: the same seed rolls the same toxicity and arrivals. */
const DEFAULT_SEED = 1;

/** The text of the scenario an SOP's load runs, for the secrets it references (a missing file is reported when the load is built). */
function scenarioText(entry: LoadedSop, cwd: string): string[] {
  if (entry.sop.load.scenario === undefined) return [];
  try {
    return [readFileSync(resolve(dirname(resolve(cwd, entry.file)), entry.sop.load.scenario), 'utf8')];
  } catch {
    return [];
  }
}

function checkFlags(flags: RehearseFlags, sops: readonly LoadedSop[]): void {
  for (const [flag, url] of [['--target', flags.target], ['--toxiproxy', flags.toxiproxy]] as const) {
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`${flag} must be an http(s) URL, not ${JSON.stringify(url)}`);
  }
  for (const [flag, given] of [['--shadow-redis', flags.shadowRedis], ['--allow-unisolated-writes', flags.allowUnisolatedWrites]] as const) {
    if (flags.target === undefined && given !== undefined) throw new UsageError(`${flag} is for a --target platform: the embedded demo's data goes with it`);
  }
  if (flags.shadowRedis !== undefined && !/^rediss?:\/\/[^/]/.test(flags.shadowRedis)) throw new UsageError(`--shadow-redis must be a redis:// or rediss:// URL, not ${JSON.stringify(flags.shadowRedis)}`);
  if (flags.target === undefined && flags.toxiproxy !== undefined) throw new UsageError('--toxiproxy is for a --target platform: on the embedded demo, faults go through the built-in proxy');
  const toxic = sops.find((entry) => entry.sop.trigger.toxic !== undefined);
  const unknownProxy = sops.find((entry) => entry.sop.trigger.toxic !== undefined && !REHEARSAL_PROXIES.some((name) => name === entry.sop.trigger.toxic?.proxy));
  if (flags.target === undefined && unknownProxy !== undefined) {
    throw new UsageError(`${unknownProxy.file}: trigger.toxic.proxy "${unknownProxy.sop.trigger.toxic?.proxy ?? ''}" is not a fault proxy of the demo platform${didYouMean(unknownProxy.sop.trigger.toxic?.proxy ?? '', REHEARSAL_PROXIES)}`, `its proxies: ${REHEARSAL_PROXIES.join(', ')}`);
  }
  if (flags.target !== undefined && flags.toxiproxy === undefined && toxic !== undefined) {
    throw new UsageError(`${toxic.file}: its trigger is a toxic, and on --target it needs a fault proxy in front of ${toxic.sop.trigger.toxic?.proxy ?? 'the service'}`, 'give --toxiproxy <url> (a Toxiproxy, or `live-assure proxy --listen 127.0.0.1:8474`)');
  }
}

function runDirFor(flags: RehearseFlags, io: Io, id: string, several: boolean): string {
  if (flags.out === undefined) return newRunDirectory(resolve(io.cwd, 'runs'), `rehearse-${id}`, io.now());
  const dir = several ? join(resolve(io.cwd, flags.out), id) : resolve(io.cwd, flags.out);
  if (existsSync(join(dir, 'manifest.json'))) throw new UsageError(`--out ${flags.out}: ${dir} already holds a run (manifest.json); give a new directory`);
  return dir;
}

function liveView(flags: RehearseFlags, io: Io, out: Io['stdout'], asks: boolean): Promise<RehearsalView> {
  return rehearsalView(out, { interactive: !asks && flags.tui && flags.json !== true && io.env['CI'] === undefined });
}

export async function runRehearse(files: string[], flags: RehearseFlags, io: Io): Promise<number> {
  const seed = flags.seed === undefined ? DEFAULT_SEED : parseFlagCount('--seed', flags.seed, 0);
  // An empty variable is no token: the embedded demo gets a random one.
  const adminToken = flags.target === undefined ? (io.env[ADMIN_TOKEN_ENV] || randomBytes(18).toString('base64url')) : undefined;
  const env = adminToken === undefined ? io.env : { ...io.env, [ADMIN_TOKEN_ENV]: adminToken };
  const sops = await loadSopFiles(files, { cwd: io.cwd, env });
  checkFlags(flags, sops);
  // A missing alert token is a usage error before anything runs; the tokens are secrets like `${env:…}` values.
  const alertReceivers = new Map(sops.map((entry) => [entry.sop.id, alertReceiverPlan(entry, env)]));
  const alertTokens = [...alertReceivers.values()].flatMap((plan) => (plan?.token === undefined ? [] : [plan.token]));
  const redact = createRedactor([...sops.flatMap((entry) => [entry.text, ...scenarioText(entry, io.cwd)]).flatMap((text) => referencedSecrets(text, env)), ...(adminToken === undefined ? [] : [adminToken]), ...alertTokens]);
  const out = flags.json === true ? io.stderr : io.stdout;
  // Scenario files and shell steps see the admin token the embedded demo was given.
  const sopIo: Io = { ...io, env };

  // Every SOP's load is resolved before the first one runs, with its write isolation on a --target: exit 2 comes before anything changed.
  const plans: Array<{ entry: LoadedSop; plan: LoadPlan }> = [];
  for (const entry of sops) {
    const load = await rehearsalLoad(entry.sop, { sopFile: entry.file, target: flags.target ?? 'http://embedded-demo', cwd: io.cwd, env, seed, runId: 'check' });
    plans.push({ entry, plan: load.plan });
    if (flags.target !== undefined && load.scenario !== undefined && load.scenarioFile !== undefined) {
      planIsolation(load.scenario, load.plan, load.scenarioFile, { command: 'rehearse', allowUnisolated: flags.allowUnisolatedWrites === true, timeoutMs: 10_000, ...(flags.shadowRedis === undefined ? {} : { redis: flags.shadowRedis }) });
    }
  }
  if (flags.dryRun === true) {
    const timelines = plans.map(({ entry, plan }) => ({ sop: entry.sop.id, file: entry.file, timeline: redact(dryRunTimeline(entry.sop, plan, entry.file)) }));
    if (flags.json === true) io.stdout.write(`${JSON.stringify({ dry_run: true, valid: true, sops: timelines.map((entry) => ({ ...entry, timeline: entry.timeline.trimEnd().split('\n') })) }, null, 2)}\n`);
    else io.stdout.write(`${timelines.map((entry) => entry.timeline).join('\n')}\n${sops.length} SOP${sops.length === 1 ? '' : 's'} valid; nothing was run (--dry-run)\n`);
    return ExitCode.Ok;
  }

  const dirs = new Map(sops.map((entry) => [entry.sop.id, runDirFor(flags, io, entry.sop.id, sops.length > 1)]));
  // A person at a terminal answers manual steps (the Ink view gives way to plain lines for them); CI takes their defaults.
  const interactive = 'isTTY' in io.stdin && io.stdin.isTTY === true && io.stdout.isTTY === true && flags.json !== true && io.env['CI'] === undefined;
  const settings = {
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.toxiproxy === undefined ? {} : { toxiproxy: flags.toxiproxy }),
    ...(adminToken === undefined ? {} : { adminToken }),
    ...(interactive ? { ask: terminalAsk(io) } : {}),
    seed,
    redact,
    out,
    options: { ...flags, ...(flags.shadowRedis === undefined ? {} : { shadowRedis: redactRedisUrl(flags.shadowRedis) }) },
    shadow: { allowUnisolated: flags.allowUnisolatedWrites === true, ...(flags.shadowRedis === undefined ? {} : { redis: flags.shadowRedis }) },
  };

  const outcomes: Array<{ file: string; outcome: RehearsalOutcome }> = [];
  const suites: JunitSuite[] = [];
  const codes: number[] = [];
  try {
    for (const entry of sops) {
      const { sop } = entry;
      if (io.signal.aborted) {
        suites.push(notRehearsedSuite(sop, 'not rehearsed: an earlier rehearsal was interrupted', new Date(io.now()).toISOString()));
        continue;
      }
      out.write(`rehearse ${sop.id} (${entry.file}): ${sop.title}\n`);
      const live = await liveView(flags, io, out, interactive && sop.mitigation.some((step) => step.manual !== undefined));
      try {
        const alertReceiver = alertReceivers.get(sop.id);
        const outcome = await rehearseOne(entry, dirs.get(sop.id) ?? '', { ...settings, view: live.view, ...(alertReceiver === undefined ? {} : { alertReceiver }) }, sopIo);
        outcomes.push({ file: entry.file, outcome });
        suites.push(outcome.suite);
        codes.push(outcome.result.exitCode);
        if (flags.json !== true) out.write(renderOutcome(sop.id, outcome));
      } catch (error) {
        // One SOP that could not be rehearsed (its platform did not start) does not stop the others.
        if (!(error instanceof LiveAssureError)) throw error;
        codes.push(error.exitCode);
        suites.push(notRehearsedSuite(sop, redact(error.message), new Date(io.now()).toISOString(), 'error'));
        io.stderr.write(`live-assure: ${sop.id}: ${redact(error.message)}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`);
      } finally {
        live.close();
      }
    }
  } finally {
    if (flags.junit !== undefined) writeJunit(resolve(io.cwd, flags.junit), suites);
  }
  const exitCode = worstExitCode(codes);
  if (flags.json === true) {
    const rehearsals = outcomes.map(({ file, outcome }) => ({ sop: outcome.suite.name, file, status: outcome.result.status, exit_code: outcome.result.exitCode, run_dir: outcome.runDir, timings: outcome.result.timings, checks: outcome.result.checks }));
    io.stdout.write(`${JSON.stringify({ rehearsals, exit_code: exitCode, ...(flags.junit === undefined ? {} : { junit: flags.junit }) }, null, 2)}\n`);
  } else out.write(renderTotals(outcomes.map(({ outcome }) => outcome.result), sops.length, exitCode, flags.junit));
  return exitCode;
}

function writeJunit(path: string, suites: readonly JunitSuite[]): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, junitXml(suites));
  } catch (error) {
    throw new LiveAssureError(`cannot write the JUnit file ${path}: ${error instanceof Error ? error.message : String(error)}`, { code: 'environment', exitCode: ExitCode.Environment });
  }
}
