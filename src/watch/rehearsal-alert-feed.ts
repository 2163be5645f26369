import type { AlertFeed, HeardAlert } from '../sops/alert-feed.js';
import { alertIntake } from './alert-intake.js';
import { startWebhookReceiver } from './webhook-receiver.js';

export interface AlertFeedOptions {
  host: string;
  port: number;
  /** The Bearer token Alertmanager must send; undefined: none asked for. */
  token?: string;
  /** The SOP being rehearsed: its id is what the matcher sets link to. */
  sopId: string;
  /** An alert matches when it carries every label of one of these sets. */
  matcherSets: ReadonlyArray<Readonly<Record<string, string>>>;
  /** The rehearsal's monotonic clock (ms). */
  now(): number;
}

export interface RunningAlertFeed extends AlertFeed {
  close(): Promise<void>;
}

/**
 * `watch`'s own receiver, payload parsing, alert book and linking, for one rehearsal: an alert
 * matches the detection when it links to the SOP by matchers (never by `runbook_url`: the SOP's
 * detection names labels). The listen error (a port taken) is thrown as it comes.
 */
export async function startAlertFeed(options: AlertFeedOptions): Promise<RunningAlertFeed> {
  const heard: HeardAlert[] = [];
  const listeners = new Set<(alert: HeardAlert) => void>();
  const detection = { id: options.sopId, links: { alerts: options.matcherSets.map((matchers) => ({ matchers })) } };
  const onPayload = alertIntake([detection], options.now, (event) => {
    if (event.type !== 'alert') return;
    const alert: HeardAlert = {
      at: options.now(),
      change: event.change,
      alertname: event.alertname,
      labels: event.labels,
      fingerprint: event.fingerprint,
      startsAt: event.startsAt,
      ...(event.endsAt === undefined ? {} : { endsAt: event.endsAt }),
      matches: event.sop === options.sopId && event.by === 'matchers',
    };
    heard.push(alert);
    // A listener that throws must not turn the notification into a 500 (Alertmanager would retry it as new).
    for (const listener of listeners) {
      try {
        listener(alert);
      } catch {
        // The rehearsal's own sink errors are raised by the runner, not here.
      }
    }
  });
  const receiver = await startWebhookReceiver({ host: options.host, port: options.port, ...(options.token === undefined ? {} : { token: options.token }), onPayload });
  return {
    url: receiver.url,
    heard: () => [...heard],
    onAlert(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stats: () => receiver.stats(),
    close: () => receiver.close(),
  };
}
