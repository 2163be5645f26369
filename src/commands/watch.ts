import { once } from 'node:events';
import { resolve } from 'node:path';
import { WriteStream } from 'node:tty';
import { createRunStore, newRunDirectory, type RunStore } from '../engine/run-store.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import type { LoadedSop } from '../sops/load-sop.js';
import { alertIntake } from '../watch/alert-intake.js';
import { startWebhookReceiver, type WebhookReceiver } from '../watch/webhook-receiver.js';
import type { WatchView } from '../ui/watch-dashboard.js';
import { watchLine } from '../ui/watch-lines.js';
import { readVersion } from '../version.js';
import { loadSopDirectory } from './sop-directory.js';
import { parseListenFlag } from './listen-flag.js';

export interface WatchFlags {
  sops: string;
  listen: string;
  token?: string;
  out?: string;
  json?: boolean;
  /** false with --no-tui: plain lines even on a terminal. */
  tui: boolean;
}

/** The token Alertmanager must send (`http_config.authorization.credentials`), when not given as a flag. */
const TOKEN_ENV = 'LIVE_ASSURE_WATCH_TOKEN';


/** The Ink view on a terminal (not with --no-tui, --json or under CI); undefined: plain lines. */
async function liveView(flags: WatchFlags, sops: readonly LoadedSop[], io: Io): Promise<WatchView | undefined> {
  const stdout = io.stdout;
  if (!(stdout instanceof WriteStream) || !flags.tui || flags.json === true || io.env['CI'] !== undefined) return undefined;
  const { createWatchDashboard } = await import('../ui/watch-dashboard.js');
  const cards = sops.map(({ sop }) => ({ id: sop.id, title: sop.title, steps: sop.mitigation.map((step) => step.name) }));
  return createWatchDashboard(stdout, cards, () => io.now());
}

function openStore(dir: string, flags: WatchFlags, sops: readonly LoadedSop[], io: Io): RunStore {
  try {
    return createRunStore(dir, {
      kind: 'watch',
      tool: { name: 'live-assure', version: readVersion() },
      invocation: { command: 'watch', args: [], options: { ...flags, ...(flags.token === undefined ? {} : { token: '***' }) } },
      sop: sops.map(({ file, sop }) => ({ file, id: sop.id, title: sop.title, links: sop.links })),
      plan: null,
      hash: '',
      started_at: new Date(io.now()).toISOString(),
      status: 'running',
    });
  } catch (error) {
    throw new UsageError(`cannot create the run directory ${dir}: ${error instanceof Error ? error.message : String(error)}`, 'give --out a directory path that can be created');
  }
}

/**
 * `live-assure watch`: receives Alertmanager webhooks until Ctrl-C, links each alert that changes
 * state to the SOP that answers it (or flags it as answered by none), and records everything in a
 * run directory of kind `watch`.
 */
export async function runWatch(flags: WatchFlags, io: Io): Promise<number> {
  const { host, port } = parseListenFlag(flags.listen);
  const token = flags.token ?? io.env[TOKEN_ENV];
  const sops = await loadSopDirectory(flags.sops, io);
  const titles = new Map(sops.map(({ sop }) => [sop.id, sop.title]));
  const out = flags.json === true ? io.stderr : io.stdout;
  const signal = io.signal;
  const dir = flags.out !== undefined ? resolve(io.cwd, flags.out) : newRunDirectory(resolve(io.cwd, 'runs'), 'watch', io.now());
  const store = openStore(dir, flags, sops, io);
  const view = await liveView(flags, sops, io);
  const counts = { firing: 0, resolved: 0, refiring: 0, unlinked: new Set<string>(), linked: new Set<string>() };
  const onPayload = alertIntake(
    sops.map(({ sop }) => sop),
    () => io.now(),
    (event) => {
      store.note({ ...event, at: new Date(io.now()).toISOString() });
      if (event.type === 'alert') {
        counts[event.change] += 1;
        if (event.sop === undefined) counts.unlinked.add(event.alertname);
        else counts.linked.add(event.sop);
      }
      const line = view === undefined ? watchLine(event, titles) : undefined;
      view?.dispatch({ type: 'received', at: io.now(), event });
      if (line !== undefined) out.write(`${new Date(io.now()).toISOString().slice(11, 19)} ${line}\n`);
    },
  );
  let receiver: WebhookReceiver;
  try {
    receiver = await startWebhookReceiver({ host, port, ...(token === undefined || token === '' ? {} : { token }), onPayload });
  } catch (error) {
    view?.close();
    store.finish(ExitCode.Environment);
    throw new EnvironmentError(`watch: cannot listen on ${flags.listen}: ${error instanceof Error ? error.message : String(error)}`, '--listen 127.0.0.1:0 picks a free port');
  }
  const banner = { webhook: receiver.url, sops: sops.length, token_required: token !== undefined && token !== '', run_dir: store.dir };
  if (flags.json === true) io.stdout.write(`${JSON.stringify(banner)}\n`);
  else if (view !== undefined) view.dispatch({ type: 'listening', at: io.now(), url: receiver.url, tokenRequired: banner.token_required, runDir: store.dir, sopsDir: flags.sops });
  else out.write(`live-assure watch: Alertmanager webhooks at ${receiver.url} (${banner.token_required ? 'Bearer token required' : 'no token'}), ${sops.length} SOPs from ${flags.sops}; run directory ${store.dir}. Ctrl-C stops it.\n`);
  try {
    if (!signal.aborted) await once(signal, 'abort').catch(() => undefined);
  } finally {
    view?.dispatch({ type: 'stopping', at: io.now() });
    await receiver.close();
    // The last frame stays on screen; the stop line below is plain text after it.
    view?.close();
  }
  const summary = { kind: 'watch', ...receiver.stats(), firing: counts.firing, refiring: counts.refiring, resolved: counts.resolved, sops_linked: [...counts.linked].sort(), alerts_unlinked: [...counts.unlinked].sort() };
  store.writeSummary(summary);
  store.finish(ExitCode.Ok, new Date(io.now()).toISOString());
  store.close?.();
  if (flags.json !== true) out.write(`live-assure watch: stopped; ${summary.accepted} notifications, ${counts.firing + counts.refiring} firings, ${counts.resolved} resolved; SOPs linked: ${summary.sops_linked.join(', ') || 'none'}; unlinked alerts: ${summary.alerts_unlinked.join(', ') || 'none'}\n`);
  return ExitCode.Ok;
}
