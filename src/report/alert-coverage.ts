import { rehearsalFreshness } from '../sops/rehearsal-freshness.js';
import type { AlertCoverage, Coverage, RehearsalSection, SopCoverage, WatchSection } from './report-model.js';

export interface KnownSop {
  id: string;
  title: string | undefined;
}

/**
 * Alerts → SOPs: which alerts fired and whether their SOP was run while they fired, which alerts
 * no SOP answers, and which SOPs were never rehearsed or not for too long.
 */
export function buildCoverage(watches: readonly WatchSection[], rehearsals: readonly RehearsalSection[], known: readonly KnownSop[], nowMs: number, maxAgeMs: number): Coverage {
  const titles = new Map<string, string | undefined>();
  for (const sop of known) titles.set(sop.id, sop.title);
  for (const rehearsal of rehearsals) if (!titles.has(rehearsal.sop.id) || titles.get(rehearsal.sop.id) === undefined) titles.set(rehearsal.sop.id, rehearsal.sop.title);
  const alerts = watches.flatMap((watch) => watch.alerts);
  for (const alert of alerts) if (alert.sop !== undefined && !titles.has(alert.sop)) titles.set(alert.sop, undefined);
  const ids = [...titles.keys()].sort();
  const freshness = new Map(
    rehearsalFreshness(
      ids,
      rehearsals.map((rehearsal) => ({ sop: rehearsal.sop.id, status: rehearsal.status, endedAt: rehearsal.ended_at, dir: rehearsal.dir })),
      nowMs,
      maxAgeMs,
    ).map((entry) => [entry.sop, entry]),
  );

  const covered: AlertCoverage[] = alerts.map((alert) => {
    const fired = Date.parse(alert.fired_at);
    const until = alert.resolved_at === undefined ? Number.POSITIVE_INFINITY : Date.parse(alert.resolved_at);
    const run = alert.sop === undefined ? undefined : rehearsals.find((rehearsal) => rehearsal.sop.id === alert.sop && Date.parse(rehearsal.ended_at) >= fired && Date.parse(rehearsal.started_at) <= until);
    const fresh = alert.sop === undefined ? undefined : freshness.get(alert.sop);
    const firstStep = run?.milestones.find((milestone) => milestone.name === 'mitigationStarted');
    return {
      ...alert,
      executed: run === undefined ? undefined : { dir: run.dir, at: run.started_at, first_step_after_s: firstStep === undefined ? undefined : (Date.parse(run.started_at) + firstStep.at_ms - fired) / 1000 },
      rehearsal: alert.sop === undefined ? 'no SOP' : (fresh?.state ?? 'never'),
      last_green: fresh?.lastGreen?.at,
    };
  });
  const sops: SopCoverage[] = ids.map((id) => {
    const fresh = freshness.get(id);
    return {
      id,
      title: titles.get(id),
      state: fresh?.state ?? 'never',
      last_green: fresh?.lastGreen?.at,
      last_run: fresh?.lastRun === undefined ? undefined : { at: fresh.lastRun.at, status: fresh.lastRun.status, dir: fresh.lastRun.dir },
      alerts_fired: alerts.filter((alert) => alert.sop === id).length,
    };
  });
  return { alerts: covered, unlinked: [...new Set(alerts.filter((alert) => alert.sop === undefined).map((alert) => alert.alertname))].sort(), sops, max_age_ms: maxAgeMs };
}
