import type { IsolationEvent } from '../engine/run-events.js';
import { targetRefusedProbes } from '../engine/shadow-preflight.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { describeIsolation } from '../ui/event-lines.js';
import { colour } from './colour.js';
import { parseLoadtestFlags } from './loadtest-options.js';
import { prepareScenario } from './loadtest-scenario.js';
import { closeIsolationStores } from '../shadow/isolation-stores.js';
import { connectStores, preflight } from './run-isolation.js';
import { cleanupCommand } from './cleanup-prefix.js';

export interface ShadowPreflightOptions {
  target?: string;
  shadowRedis?: string;
  json?: boolean;
}

/**
 * `shadow preflight`: the isolation probes `loadtest` runs before its load, on their own. The
 * probes' shadow data stays (another run may be using the shadow store); the last line says how
 * `shadow cleanup` removes it.
 */
export async function runShadowPreflight(file: string, options: ShadowPreflightOptions, io: Io): Promise<number> {
  // Ctrl-C handlers go in first: an interrupted check must still switch routing back on.
  const signal = io.signal;
  const parsed = parseLoadtestFlags(
    { header: [], name: 'request', threshold: [], abort: [], connections: '16', maxInFlight: '100', timeout: '10s', maxLag: '100ms', tui: false, ...(options.target === undefined ? {} : { target: options.target }) },
    io.now(),
  );
  const { plan, isolation, demo } = await prepareScenario(file, { ...parsed, workers: 1 }, io, { command: 'preflight', ...(options.shadowRedis === undefined ? {} : { redis: options.shadowRedis }) });
  const paint = colour(io.stdout, io.env);
  const out = options.json === true ? io.stderr : io.stdout;
  const emit = (fields: Omit<IsolationEvent, 'type' | 'at'>): void => {
    const line = describeIsolation({ type: 'isolation', at: io.now(), ...fields });
    out.write(`${fields.ok ? line : paint.red(line)}\n`);
  };
  const stores = isolation === undefined ? [] : await connectStores(isolation, demo).catch(async (error: unknown) => {
    await demo?.stop();
    throw error;
  });
  try {
    const report = isolation === undefined ? { skipped: 'no scenario' } : await preflight(plan, isolation, stores, emit, signal);
    if (options.json === true) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if ('skipped' in report) {
      if (options.json !== true) io.stdout.write(`shadow preflight: nothing to prove: ${report.skipped}\n`);
      return ExitCode.Ok;
    }
    const kept = stores.filter((store) => !store.ephemeral);
    if (kept.length > 0) out.write(`shadow preflight: the probes' data stays in shadow storage; to remove it (and all other shadow data): ${kept.map(cleanupCommand).join('; ')}\n`);
    if (report.fail_closed !== undefined && !report.fail_closed.restored) return ExitCode.CleanupFailed;
    if (signal.aborted) return ExitCode.Interrupted;
    if (targetRefusedProbes(report)) return ExitCode.Environment;
    return report.ok ? ExitCode.Ok : ExitCode.Finding;
  } finally {
    closeIsolationStores(stores);
    await demo?.stop();
  }
}
