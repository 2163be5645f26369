import { linkAlert, type LinkableSop } from './alert-sop-links.js';
import { parseAlertmanagerPayload } from './alertmanager-payload.js';
import { AlertBook } from './alert-state.js';

/** An alert that changed state, linked to the SOP that answers it (or flagged as answered by none). */
export interface AlertEvent {
  type: 'alert';
  change: 'firing' | 'resolved' | 'refiring';
  fingerprint: string;
  alertname: string;
  labels: Record<string, string>;
  /** Alertmanager's own times (wall clock, RFC 3339). */
  startsAt: string;
  endsAt?: string;
  /** The linked SOP, and how; absent: no SOP answers this alert. */
  sop?: string;
  by?: 'matchers' | 'runbook_url';
  /** Other SOPs that matched too: the SOP set overlaps. */
  alsoMatching?: readonly string[];
}

/** One webhook notification as received: its group, how many alerts were re-sends, how many Alertmanager left out. */
export interface NotificationEvent {
  type: 'notification';
  groupKey: string;
  receiver: string;
  status: string;
  alerts: number;
  repeats: number;
  truncatedAlerts: number;
}

/**
 * What the receiver does with each body: parse it, fold it into the alert book, and say what
 * changed — each change linked to its SOP. A body that is not a v4 payload is refused (400).
 */
export function alertIntake(sops: readonly LinkableSop[], now: () => number, emit: (event: AlertEvent | NotificationEvent) => void): (json: unknown) => { ok: true } | { ok: false; error: string } {
  const book = new AlertBook(now);
  return (json) => {
    const parsed = parseAlertmanagerPayload(json);
    if (!parsed.ok) return parsed;
    const { payload } = parsed;
    const outcome = book.record(payload);
    emit({ type: 'notification', groupKey: payload.groupKey, receiver: payload.receiver, status: payload.status, alerts: payload.alerts.length, repeats: outcome.repeats, truncatedAlerts: outcome.truncatedAlerts });
    for (const change of outcome.changes) {
      const { alert } = change;
      const link = linkAlert(alert, sops);
      emit({
        type: 'alert',
        change: change.kind,
        fingerprint: alert.fingerprint,
        alertname: alert.labels['alertname'] ?? '(no alertname)',
        labels: alert.labels,
        startsAt: alert.startsAt,
        ...(change.kind === 'resolved' ? { endsAt: alert.endsAt } : {}),
        ...(link === undefined ? {} : { sop: link.sop, by: link.by, ...(link.alsoMatching.length === 0 ? {} : { alsoMatching: link.alsoMatching }) }),
      });
    }
    return { ok: true };
  };
}
