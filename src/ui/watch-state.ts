import type { AlertEvent, NotificationEvent } from '../watch/alert-intake.js';
import type { LogLine } from './run-state.js';
import { watchLine } from './watch-lines.js';

/** What the live view shows of an SOP: enough to act on without opening the file. */
export interface WatchSopCard {
  id: string;
  title: string;
  /** The mitigation steps' names, in order. */
  steps: readonly string[];
}

/** An alert as last heard, with the SOP that answers it. */
export interface WatchAlert {
  fingerprint: string;
  alertname: string;
  labels: Readonly<Record<string, string>>;
  status: 'firing' | 'resolved';
  sop?: string;
  by?: 'matchers' | 'runbook_url';
  alsoMatching?: readonly string[];
  /** Firing episodes heard (a re-fire after a resolve counts again). */
  firings: number;
  /** When this receiver heard the last change (wall-clock ms). */
  changedAt: number;
}

export interface WatchState {
  sops: ReadonlyMap<string, WatchSopCard>;
  receiver?: { url: string; tokenRequired: boolean; runDir: string; sopsDir: string; since: number };
  /** The last time the view was told (an event or a tick): "for how long" is measured against it. */
  now: number;
  /** By fingerprint, in the order first heard. */
  alerts: ReadonlyMap<string, WatchAlert>;
  counts: { notifications: number; repeats: number; truncated: number; firing: number; refiring: number; resolved: number };
  /** Each change as one final line (the same words as the plain output), printed above the live frame. */
  log: readonly LogLine[];
  stopping: boolean;
}

export type WatchAction =
  | { type: 'listening'; at: number; url: string; tokenRequired: boolean; runDir: string; sopsDir: string }
  | { type: 'received'; at: number; event: AlertEvent | NotificationEvent }
  | { type: 'tick'; at: number }
  | { type: 'stopping'; at: number };

export function initialWatchState(sops: readonly WatchSopCard[], now: number): WatchState {
  return {
    sops: new Map(sops.map((sop) => [sop.id, sop])),
    now,
    alerts: new Map(),
    counts: { notifications: 0, repeats: 0, truncated: 0, firing: 0, refiring: 0, resolved: 0 },
    log: [],
    stopping: false,
  };
}

function alertFrom(event: AlertEvent, previous: WatchAlert | undefined, at: number): WatchAlert {
  return {
    fingerprint: event.fingerprint,
    alertname: event.alertname,
    labels: event.labels,
    status: event.change === 'resolved' ? 'resolved' : 'firing',
    ...(event.sop === undefined ? {} : { sop: event.sop }),
    ...(event.by === undefined ? {} : { by: event.by }),
    ...(event.alsoMatching === undefined ? {} : { alsoMatching: event.alsoMatching }),
    firings: (previous?.firings ?? 0) + (event.change === 'resolved' ? 0 : 1),
    changedAt: at,
  };
}

/**
 * The next state after a batch of actions. Pure as seen from outside; the batch is folded into
 * one copy, because an alert storm brings thousands of notifications between two frames and
 * copying the whole alert map once per notification would cost quadratic time.
 */
export function reduceWatchState(state: WatchState, actions: readonly WatchAction[]): WatchState {
  if (actions.length === 0) return state;
  const alerts = new Map(state.alerts);
  const counts = { ...state.counts };
  const log = [...state.log];
  const titles = new Map([...state.sops].map(([id, sop]) => [id, sop.title]));
  let { receiver, now, stopping } = state;
  for (const action of actions) {
    now = Math.max(now, action.at);
    if (action.type === 'listening') receiver = { url: action.url, tokenRequired: action.tokenRequired, runDir: action.runDir, sopsDir: action.sopsDir, since: action.at };
    if (action.type === 'stopping') stopping = true;
    if (action.type !== 'received') continue;
    const { event } = action;
    const said = watchLine(event, titles);
    // The same words as the plain output, stamped the same way (UTC time of day).
    const line = said === undefined ? undefined : `${new Date(action.at).toISOString().slice(11, 19)} ${said}`;
    if (event.type === 'notification') {
      counts.notifications += 1;
      counts.repeats += event.repeats;
      counts.truncated += event.truncatedAlerts;
      if (line !== undefined) log.push({ id: log.length, level: 'warning', text: line });
      continue;
    }
    counts[event.change] += 1;
    alerts.set(event.fingerprint, alertFrom(event, alerts.get(event.fingerprint), action.at));
    if (line !== undefined) log.push({ id: log.length, level: event.sop === undefined && event.change !== 'resolved' ? 'error' : 'info', text: line });
  }
  return { ...state, ...(receiver === undefined ? {} : { receiver }), now, alerts, counts, log, stopping };
}

/** The firing alerts of one SOP, or of none (`sop` undefined: unlinked). */
export interface FiringGroup {
  sop: WatchSopCard | undefined;
  /** The id the alerts were linked to, even when the view was not told of that SOP. */
  id: string | undefined;
  alerts: WatchAlert[];
}

/** What is firing, grouped by the SOP that answers it: unlinked first (they need a person), then by SOP id. */
export function firingGroups(state: WatchState): FiringGroup[] {
  const groups = new Map<string | undefined, WatchAlert[]>();
  for (const alert of state.alerts.values()) {
    if (alert.status !== 'firing') continue;
    const group = groups.get(alert.sop);
    if (group === undefined) groups.set(alert.sop, [alert]);
    else group.push(alert);
  }
  // Array#sort would put the `undefined` key last whatever the comparator says: place it first by hand.
  const linked = [...groups.keys()].filter((id): id is string => id !== undefined).sort();
  const ids = groups.has(undefined) ? [undefined, ...linked] : linked;
  return ids.map((id) => ({ id, sop: id === undefined ? undefined : state.sops.get(id), alerts: groups.get(id) ?? [] }));
}

/** Resolved alerts, the most recently resolved first. */
export function resolvedAlerts(state: WatchState): WatchAlert[] {
  return [...state.alerts.values()].filter((alert) => alert.status === 'resolved').sort((a, b) => b.changedAt - a.changedAt);
}
