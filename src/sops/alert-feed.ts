/**
 * What a rehearsal with `detection.alert` is handed: the alerts a webhook receiver heard change
 * state. src/sops cannot import src/watch (watch links alerts to SOPs, so it imports sops), so the
 * receiver is started by `rehearse` and comes in through this interface.
 */

/** One alert state change as the receiver heard it. */
export interface HeardAlert {
  /** When its notification arrived, on the rehearsal's monotonic clock (ms). */
  at: number;
  /** `firing`: first heard firing; `refiring`: firing again after a resolve; `resolved`. Repeats are not changes. */
  change: 'firing' | 'refiring' | 'resolved';
  alertname: string;
  labels: Readonly<Record<string, string>>;
  fingerprint: string;
  /** Alertmanager's own times (wall clock, RFC 3339). */
  startsAt: string;
  endsAt?: string;
  /** It carries every label of one of the detection's matcher sets. */
  matches: boolean;
}

export interface AlertFeed {
  /** The webhook URL Alertmanager must notify. */
  readonly url: string;
  /** Every change heard so far, in arrival order. */
  heard(): readonly HeardAlert[];
  /** Calls `listener` with each change heard from now on; returns the unsubscribe. */
  onAlert(listener: (alert: HeardAlert) => void): () => void;
  /** Notifications taken and turned away (a wrong token, a payload that is not v4) so far. */
  stats(): { accepted: number; rejected: Readonly<Record<string, number>> };
}

/** A matching firing whose notification arrived at or after the injection: what detects the fault. */
function detects(alert: HeardAlert, injectedAt: number): boolean {
  return alert.matches && alert.change !== 'resolved' && alert.at >= injectedAt;
}

/**
 * The first matching alert that fired after `injectedAt`, waiting until `deadline` (monotonic ms)
 * or `signal`. A matching alert already firing before the injection does not count when
 * Alertmanager repeats it: it was not caused by this fault, and the book of changes says so.
 */
export function firstAlertAfter(feed: AlertFeed, injectedAt: number, deadline: number, now: () => number, signal: AbortSignal): Promise<HeardAlert | undefined> {
  const already = feed.heard().find((alert) => detects(alert, injectedAt));
  if (already !== undefined) return Promise.resolve(already);
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const finish = (alert: HeardAlert | undefined): void => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(alert);
    };
    const onAbort = (): void => finish(undefined);
    const unsubscribe = feed.onAlert((alert) => {
      if (detects(alert, injectedAt) && alert.at <= deadline) finish(alert);
    });
    const timer = setTimeout(() => finish(undefined), Math.max(0, deadline - now()));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Why no alert detected the fault, in one clause: what was heard instead. */
export function whyNoAlert(feed: AlertFeed, injectedAt: number): string {
  const heard = feed.heard();
  const { accepted, rejected } = feed.stats();
  const refused = Object.entries(rejected).map(([reason, count]) => `${count} ${reason}`).join(', ');
  const parts = [`${accepted} notification${accepted === 1 ? '' : 's'} at ${feed.url}`];
  if (refused !== '') parts.push(`refused: ${refused}${rejected['unauthorized'] === undefined ? '' : ' (check http_config.authorization against token_env)'}`);
  const before = heard.filter((alert) => alert.matches && alert.change !== 'resolved' && alert.at < injectedAt).map((alert) => alert.alertname);
  if (before.length > 0) parts.push(`${[...new Set(before)].join(', ')} already firing before the fault (a repeat is not a detection)`);
  const others = [...new Set(heard.filter((alert) => !alert.matches && alert.at >= injectedAt).map((alert) => alert.alertname))];
  if (others.length > 0) parts.push(`other alerts: ${others.join(', ')}`);
  return parts.join('; ');
}
