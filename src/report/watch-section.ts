import type { AlertView, WatchSection } from './report-model.js';
import type { RunDirectory } from './run-directory.js';
import { alertEvent } from './run-files.js';

/** A watch session: each alert once (by fingerprint), when it fired, whether and when it resolved, its SOP. */
export function buildWatchSection(run: RunDirectory, index: number): WatchSection {
  const alerts = new Map<string, AlertView>();
  let notifications = 0;
  for (const event of run.events) {
    if (event.type === 'notification') notifications += 1;
    const parsed = alertEvent.safeParse(event);
    if (!parsed.success) continue;
    const alert = parsed.data;
    const known = alerts.get(alert.fingerprint);
    if (known === undefined) {
      alerts.set(alert.fingerprint, {
        alertname: alert.alertname,
        labels: alert.labels,
        fingerprint: alert.fingerprint,
        sop: alert.sop,
        by: alert.by,
        // Alertmanager's startsAt is when the rule fired; `at` is when the webhook reached us.
        fired_at: alert.change === 'resolved' ? alert.startsAt : alert.startsAt || alert.at,
        resolved_at: alert.change === 'resolved' ? (alert.endsAt ?? alert.at) : undefined,
        refired: 0,
        dir: run.dir,
      });
      continue;
    }
    if (alert.change === 'resolved') known.resolved_at = alert.endsAt ?? alert.at;
    if (alert.change === 'refiring') {
      known.refired += 1;
      known.resolved_at = undefined;
    }
  }
  return {
    id: `watch-${index}`,
    dir: run.dir,
    started_at: run.manifest.started_at,
    ended_at: run.manifest.ended_at,
    notifications,
    alerts: [...alerts.values()].sort((a, b) => a.fired_at.localeCompare(b.fired_at)),
  };
}
