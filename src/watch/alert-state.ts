import type { AlertmanagerAlert, AlertmanagerPayload } from './alertmanager-payload.js';

/**
 * Per-fingerprint alert state built from webhook payloads, and the changes each payload caused.
 *
 * Rules the Alertmanager reference forces:
 * - Firing vs resolved comes from each alert's `status`, never from `endsAt` (zero time while
 *   firing); `endsAt` is kept only from a resolved alert, as Alertmanager's resolve time.
 * - The same fingerprint with the same status arrives again on every group_interval /
 *   repeat_interval, and again from every route it matches: those are repeats, not changes.
 * - An alert missing from a payload says nothing (grouping, `max_alerts` truncation): nothing is
 *   ever inferred from absence.
 * Times (`at`, `firstFiringAt`, …) are the injected monotonic clock's milliseconds at receipt, so
 * TTD/TTR can be measured against the rehearsal's own clock.
 */

export type AlertStatus = AlertmanagerAlert['status'];

export interface AlertRecord {
  readonly fingerprint: string;
  readonly status: AlertStatus;
  readonly labels: Readonly<Record<string, string>>;
  /** When this receiver first heard it firing; undefined if it has only been seen resolved. */
  readonly firstFiringAt: number | undefined;
  /** When the current (or last) firing episode was first heard. */
  readonly lastFiringAt: number | undefined;
  /** When it was last heard resolved; undefined while it has never resolved. */
  readonly resolvedAt: number | undefined;
  /** Alertmanager's `endsAt` from the last resolved notification (wall clock, RFC 3339). */
  readonly endsAt: string | undefined;
  /** Firing episodes heard: 1 for a first firing, +1 for every re-fire after a resolve. */
  readonly firings: number;
}

export interface AlertChange {
  /** `firing`: first heard firing; `resolved`; `refiring`: firing again after it resolved. */
  readonly kind: 'firing' | 'resolved' | 'refiring';
  readonly at: number;
  readonly alert: AlertmanagerAlert;
  readonly record: AlertRecord;
}

export interface PayloadOutcome {
  readonly changes: readonly AlertChange[];
  /** Alerts in the payload whose fingerprint and status were already known: re-sent notifications. */
  readonly repeats: number;
  /** Alerts Alertmanager left out (`max_alerts`); their state is unknown, not resolved. */
  readonly truncatedAlerts: number;
}

type Clock = () => number;

function changeKind(previous: AlertRecord | undefined, status: AlertStatus): AlertChange['kind'] | undefined {
  if (previous?.status === status) return undefined;
  if (status === 'resolved') return 'resolved';
  return previous === undefined || previous.firings === 0 ? 'firing' : 'refiring';
}

function nextRecord(previous: AlertRecord | undefined, alert: AlertmanagerAlert, at: number): AlertRecord {
  const firing = alert.status === 'firing';
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    labels: alert.labels,
    firstFiringAt: previous?.firstFiringAt ?? (firing ? at : undefined),
    lastFiringAt: firing ? at : previous?.lastFiringAt,
    resolvedAt: firing ? previous?.resolvedAt : at,
    endsAt: firing ? previous?.endsAt : alert.endsAt,
    firings: (previous?.firings ?? 0) + (firing ? 1 : 0),
  };
}

/** Keeps what the receiver knows of every alert it has heard of. */
export class AlertBook {
  private readonly records = new Map<string, AlertRecord>();

  constructor(private readonly now: Clock) {}

  /** Folds one payload in; returns only what changed. Alerts are taken in the order received. */
  record(payload: AlertmanagerPayload): PayloadOutcome {
    const at = this.now();
    const changes: AlertChange[] = [];
    let repeats = 0;
    for (const alert of payload.alerts) {
      const previous = this.records.get(alert.fingerprint);
      const kind = changeKind(previous, alert.status);
      if (kind === undefined) {
        repeats += 1;
        continue;
      }
      const record = nextRecord(previous, alert, at);
      this.records.set(alert.fingerprint, record);
      changes.push({ kind, at, alert, record });
    }
    return { changes, repeats, truncatedAlerts: payload.truncatedAlerts };
  }

  /** What is known of one alert. */
  get(fingerprint: string): AlertRecord | undefined {
    return this.records.get(fingerprint);
  }

  /** Every alert heard of, in the order first heard. */
  all(): readonly AlertRecord[] {
    return [...this.records.values()];
  }

  /** Alerts currently firing. */
  firing(): readonly AlertRecord[] {
    return this.all().filter((record) => record.status === 'firing');
  }
}
