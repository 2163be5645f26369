import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LoadPlan } from '../engine/load-plan.js';
import { createRunStore, inputHash, type RunStore } from '../engine/run-store.js';
import { EnvironmentError, LiveAssureError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Io, OutputStream } from '../io.js';
import { builtInToxics, toxiproxyToxics, type FaultContext } from '../sops/actions/inject-fault.js';
import type { LoadedSop } from '../sops/load-sop.js';
import { rehearsalLoad } from '../sops/rehearsal-load-plan.js';
import type { RehearsalEvent, RehearsalResult } from '../sops/rehearsal-model.js';
import { rehearsalJournal, rehearsalSuite } from '../sops/rehearsal-report.js';
import { rehearse } from '../sops/rehearsal-runner.js';
import type { JunitSuite } from '../sops/junit-xml.js';
import { readVersion } from '../version.js';
import type { RunningAlertFeed } from '../watch/rehearsal-alert-feed.js';
import { startRehearsalAlerts, type AlertReceiverPlan } from './rehearsal-alerts.js';
import { startRehearsalPlatform, type RehearsalPlatform } from './rehearsal-platform.js';
import { isolateRehearsal, type RehearsalIsolation, type RehearsalShadowFlags } from './rehearse-isolation.js';
import { refusedByPreflight, withIsolation } from './rehearse-shadow-result.js';

export interface RehearsalSettings {
  /** The platform under test; undefined: the embedded demo, started for each SOP. */
  target?: string;
  /** A real Toxiproxy's API, for toxics on a --target platform. */
  toxiproxy?: string;
  seed: number;
  /** The embedded demo's admin token (also what `${env:LIVE_ASSURE_ADMIN_TOKEN}` resolved to). */
  adminToken?: string;
  redact(text: string): string;
  /** Asks a person at the terminal; undefined off a TTY and in CI. */
  ask?: FaultContext['ask'];
  /** Where the rehearsal's live view goes. */
  view(event: RehearsalEvent): void;
  /** Where isolation lines go (a --target rehearsal with writes). */
  out: OutputStream;
  shadow: RehearsalShadowFlags;
  /** The command line's options, as the manifest records them (URLs with passwords masked). */
  options: Record<string, unknown>;
  /** Where the SOP's `detection.alert` receiver listens, and its token. */
  alertReceiver?: AlertReceiverPlan;
}

export interface RehearsalOutcome {
  result: RehearsalResult;
  suite: JunitSuite;
  runDir: string;
}

interface Where {
  target: string;
  actions: Omit<FaultContext, 'signal'>;
  platform?: RehearsalPlatform;
}

async function platformFor(loaded: LoadedSop, settings: RehearsalSettings, io: Io): Promise<Where> {
  const cwd = dirname(resolve(io.cwd, loaded.file));
  const common = { cwd, env: io.env, redact: settings.redact, ...(settings.ask === undefined ? {} : { ask: settings.ask }) };
  if (settings.target !== undefined) {
    const adminToken = io.env['LIVE_ASSURE_ADMIN_TOKEN'];
    return {
      target: settings.target,
      actions: { ...common, target: settings.target, ...(settings.toxiproxy === undefined ? {} : { toxics: toxiproxyToxics(settings.toxiproxy) }), ...(adminToken === undefined ? {} : { adminToken }) },
    };
  }
  let platform: RehearsalPlatform;
  try {
    platform = await startRehearsalPlatform(io.execPath, { seed: settings.seed, adminToken: settings.adminToken ?? '' });
  } catch (error) {
    throw new EnvironmentError(`cannot start the demo platform to rehearse on: ${error instanceof Error ? error.message : String(error)}`, 'give --target <base URL> to rehearse on your own platform');
  }
  const target = platform.demo.gatewayUrl;
  return {
    target,
    platform,
    actions: { ...common, target, toxics: builtInToxics(platform.proxies), defaultRedisUrl: platform.redisUrl, ...(settings.adminToken === undefined ? {} : { adminToken: settings.adminToken }) },
  };
}

function openStore(dir: string, loaded: LoadedSop, settings: RehearsalSettings, plan: LoadPlan, io: Io): RunStore {
  // The manifest is shared with whoever reads the run: secrets resolved into the SOP are masked.
  const masked = (value: unknown): unknown => JSON.parse(settings.redact(JSON.stringify(value)));
  const sop = masked(loaded.sop);
  try {
    return createRunStore(dir, {
      kind: 'rehearsal',
      tool: { name: 'live-assure', version: readVersion() },
      invocation: { command: 'rehearse', args: [loaded.file], options: { ...settings.options, seed: settings.seed } },
      sop,
      // Steps' headers and fed values are resolved in the plan: masked like the SOP.
      plan: masked(plan),
      hash: inputHash(loaded.text),
      started_at: new Date(io.now()).toISOString(),
      status: 'running',
    });
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`cannot create the run directory ${dir}: ${reason}`, 'give --out a directory path that can be created');
  }
}

/** One SOP, end to end: its platform, load, rehearsal, journal and JUnit suite. */
export async function rehearseOne(loaded: LoadedSop, dir: string, settings: RehearsalSettings, io: Io): Promise<RehearsalOutcome> {
  const where = await platformFor(loaded, settings, io);
  let alerts: RunningAlertFeed | undefined;
  let store: RunStore | undefined;
  let isolation: RehearsalIsolation | undefined;
  let finished = false;
  try {
    const runId = `la-${settings.seed.toString(36)}-${Date.now().toString(36)}`;
    const load = await rehearsalLoad(loaded.sop, { sopFile: loaded.file, target: where.target, cwd: io.cwd, env: io.env, seed: settings.seed, runId });
    const { plan } = load;
    store = openStore(dir, loaded, settings, plan, io);
    const events: RehearsalEvent[] = [];
    const startedAt = new Date(io.now()).toISOString();
    const journalStore = store;
    isolation = settings.target === undefined ? undefined : await isolateRehearsal(load, settings.shadow, store, settings.out, io);
    const refused = isolation?.refused;
    finished = refused !== undefined;
    // Listening from before the load starts, so no notification of this rehearsal is missed.
    if (settings.alertReceiver !== undefined && refused === undefined) alerts = await startRehearsalAlerts(loaded, settings.alertReceiver, () => performance.now());
    const rehearsed = refused !== undefined ? refusedByPreflight(refused.exitCode) : await rehearse({
      sop: loaded.sop,
      plan,
      actions: where.actions,
      signal: io.signal,
      sinks: [store],
      emit: (event) => {
        settings.view(event);
        if (event.type === 'load') return;
        events.push(event);
        // events.ndjson keeps wall-clock `at` like the load's own events; the rehearsal's clock goes in t_ms.
        journalStore.note({ ...event, type: `rehearsal-${event.type}`, at: new Date(io.now()).toISOString(), t_ms: event.at });
      },
      now: () => performance.now(),
      wallNow: () => io.now(),
      ...(isolation?.watch === undefined ? {} : { watch: isolation.watch }),
      ...(alerts === undefined ? {} : { alerts }),
    });
    finished = true;
    const result = isolation === undefined || refused !== undefined ? rehearsed : withIsolation(rehearsed, await isolation.finish());
    const meta = { file: loaded.file, sha: `sha256:${createHash('sha256').update(loaded.text).digest('hex')}`, seed: settings.seed, target: where.target, startedAt, endedAt: new Date(io.now()).toISOString() };
    const journal = rehearsalJournal(loaded.sop, result, meta, events);
    writeFileSync(join(store.dir, 'journal.json'), `${JSON.stringify(journal, null, 2)}\n`);
    const { load: _load, ...rest } = result;
    store.writeSummary({ kind: 'rehearsal', sop: loaded.sop.id, status: rest.status, exit_code: rest.exitCode, timings: rest.timings, checks: rest.checks.length, failed: rest.checks.filter((check) => check.result === 'failure' || check.result === 'error').map((check) => `${check.group}/${check.name}`) });
    store.finish(rest.exitCode);
    return { result: rest, suite: rehearsalSuite(loaded.sop, rest, meta), runDir: store.dir };
  } catch (error) {
    // Whatever broke, the load's shadow data on a --target platform is still audited and cleaned up.
    if (isolation !== undefined && !finished) await isolation.finish().catch(() => undefined);
    store?.finish(error instanceof LiveAssureError ? error.exitCode : ExitCode.Internal);
    throw error;
  } finally {
    isolation?.close();
    await alerts?.close();
    store?.close?.();
    await where.platform?.stop();
  }
}
