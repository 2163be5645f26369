import { z } from 'zod';
import { buildLoadSection, runEnd } from './load-section.js';
import type { Annotation, Band, Milestone, RehearsalSection } from './report-model.js';
import type { RunDirectory } from './run-directory.js';

/** Milestones in the order a rehearsal reaches them; the journal keeps them as a map. */
const MILESTONE_ORDER = ['injected', 'impact', 'detected', 'mitigationStarted', 'mitigated', 'faultRemoved', 'recovered'];

const MILESTONE_LABELS: Record<string, string> = {
  injected: 'fault injected',
  impact: 'impact seen',
  detected: 'detected',
  mitigationStarted: 'mitigation started',
  mitigated: 'mitigated',
  faultRemoved: 'fault removed',
  recovered: 'recovered',
};

export function milestoneLabel(name: string): string {
  return MILESTONE_LABELS[name] ?? name;
}

const manifestSop = z.object({ id: z.string(), title: z.string(), owners: z.array(z.string()).default([]) }).loose();

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** One rehearsal: its journal, and its background load charted with phases, steps and milestones. */
export async function buildRehearsalSection(run: RunDirectory, index: number): Promise<RehearsalSection> {
  const journal = run.journal;
  // A rehearsal killed before its journal still has its SOP in the manifest.
  const recorded = manifestSop.safeParse(run.manifest.sop);
  const sopId = journal?.sop.id ?? (recorded.success ? recorded.data.id : run.dir);
  const sopTitle = journal?.sop.title ?? (recorded.success ? recorded.data.title : sopId);
  const load = run.intervals.length > 0 || run.events.some((event) => event.type === 'started') ? await buildLoadSection(`rehearsal-${index}-load`, `background load of ${sopId}`, 'rehearsal', [run]) : undefined;
  const startedMs = Date.parse(journal?.started_at ?? run.manifest.started_at);
  const milestones: Milestone[] = Object.entries(journal?.timeline ?? {})
    .map(([name, at_ms]) => ({ name, at_ms }))
    .sort((a, b) => a.at_ms - b.at_ms || MILESTONE_ORDER.indexOf(a.name) - MILESTONE_ORDER.indexOf(b.name));
  if (load !== undefined) {
    // Rehearsal times are ms since the rehearsal started; the charts count from the load's second 0.
    const shift = (startedMs - load.origin_ms) / 1000;
    const annotations: Annotation[] = milestones.map((milestone) => ({ at_s: shift + milestone.at_ms / 1000, kind: 'milestone', label: milestoneLabel(milestone.name) }));
    for (const event of run.events) {
      const at_s = (Date.parse(event.at ?? '') - load.origin_ms) / 1000;
      if (!Number.isFinite(at_s)) continue;
      // Inject, detection, mitigation and recovered phases start at milestones already marked.
      if (event.type === 'rehearsal-phase' && ['baseline', 'degraded', 'rollback'].includes(text(event['phase']))) annotations.push({ at_s, kind: 'phase', label: `${text(event['phase'])} phase` });
      if (event.type === 'rehearsal-step') annotations.push({ at_s, kind: 'step', label: `${text(event['phase'])}: ${text(event['name'])}` });
      if (event.type === 'rehearsal-stop') annotations.push({ at_s, kind: 'stop', label: 'stopped' });
      if (event.type === 'rehearsal-alert') annotations.push({ at_s, kind: 'alert', label: `alert ${text(event['alertname'])} ${text(event['change'])}${event['matches'] === true ? ' (the detection)' : ''}` });
    }
    const bands: Band[] = Object.entries(journal?.windows ?? {}).flatMap(([phase, window]) =>
      phase === 'baseline' || phase === 'degraded' || phase === 'recovered' ? [{ from_s: window.from_second, to_s: window.from_second + window.seconds, kind: phase, label: `${phase} window` }] : [],
    );
    const injected = journal?.timeline['injected'];
    if (injected !== undefined) {
      const removed = journal?.timeline['faultRemoved'];
      bands.push({ from_s: shift + injected / 1000, to_s: removed === undefined ? load.duration_s : shift + removed / 1000, kind: 'fault', label: 'fault active' });
    }
    load.annotations = [...load.annotations.filter((annotation) => annotation.kind !== 'stop'), ...annotations].sort((a, b) => a.at_s - b.at_s);
    load.bands = bands;
  }
  return {
    id: `rehearsal-${index}`,
    sop: { id: sopId, title: sopTitle, owners: journal?.sop.owners ?? (recorded.success ? recorded.data.owners : []), ...(journal?.sop.file === undefined ? {} : { file: journal.sop.file }) },
    dir: run.dir,
    status: journal?.status ?? 'incomplete',
    exit_code: journal?.exit_code ?? run.manifest.exit_code,
    started_at: journal?.started_at ?? run.manifest.started_at,
    ended_at: new Date(runEnd(run)).toISOString(),
    duration_ms: journal?.duration_ms ?? Math.max(0, runEnd(run) - startedMs),
    stop: journal?.stop === undefined ? undefined : `${journal.stop.kind}: ${journal.stop.reason}`,
    timings: journal?.timings ?? {},
    milestones,
    checks: journal?.checks ?? [],
    alerts: run.events
      .filter((event) => event.type === 'rehearsal-alert')
      .map((event) => ({ at: event.at ?? '', alertname: text(event['alertname']), change: text(event['change']), matches: event['matches'] === true })),
    load,
  };
}
