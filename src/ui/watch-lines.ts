import type { AlertEvent, NotificationEvent } from '../watch/alert-intake.js';

/** An alert's labels other than its name, as `{service="room-svc", …}`; empty when it has none. */
export function labelText(labels: Readonly<Record<string, string>>): string {
  const text = Object.entries(labels)
    .filter(([name]) => name !== 'alertname')
    .map(([name, value]) => `${name}="${value}"`)
    .join(', ');
  return text === '' ? '' : `{${text}}`;
}

/** One line per event, for people and CI logs (the plain output off a terminal, and the live view's log). */
export function watchLine(event: AlertEvent | NotificationEvent, titles: ReadonlyMap<string, string>): string | undefined {
  if (event.type === 'notification') return event.truncatedAlerts > 0 ? `  (Alertmanager left ${event.truncatedAlerts} alerts of group ${event.groupKey} out: max_alerts)` : undefined;
  const labels = labelText(event.labels);
  const what = `${event.change.toUpperCase().padEnd(9)} ${event.alertname}${labels === '' ? '' : ` ${labels}`}`;
  if (event.sop === undefined) return `${what} → UNLINKED: no SOP answers it`;
  return `${what} → SOP ${event.sop} (by ${event.by ?? 'matchers'}): ${titles.get(event.sop) ?? ''}`;
}
