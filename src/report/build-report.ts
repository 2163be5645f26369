import type { Scenario } from '../scenarios/schema.js';
import { findActionItems } from './action-items.js';
import { buildCoverage, type KnownSop } from './alert-coverage.js';
import { buildCapacitySection, recordedScale } from './capacity-section.js';
import { buildLoadSection, loadName, loadOrigin, runEnd } from './load-section.js';
import { buildProbeView } from './probe-section.js';
import { buildRehearsalSection } from './rehearsal-section.js';
import type { AppendixRun, CapacitySection, LoadSection, ReportModel, WatchSection } from './report-model.js';
import { describeRuns, reportVerdict } from './report-summary.js';
import type { RunDirectory } from './run-directory.js';
import { buildWatchSection } from './watch-section.js';

export interface ReportInput {
  runs: readonly RunDirectory[];
  /** The scenario each loadtest ran, by run directory, for forecast vs measured (the command loads them). */
  scenarios: ReadonlyMap<string, Scenario>;
  /** The SOP set, when given: SOPs no run mentions are covered too. */
  sops: readonly KnownSop[];
  nowMs: number;
  maxAgeMs: number;
  tool: { name: string; version: string };
  /** Notes from loading (a scenario that changed since the run…). */
  notes: readonly string[];
}

/** Agents start within this of each other; a re-run of the same scenario starts after the last one ended. */
const AGENT_START_SLACK_MS = 60_000;

/** Agents of one load: the same input hash, started together (within a minute) and overlapping in time. */
function groupLoadtests(runs: readonly RunDirectory[]): RunDirectory[][] {
  const groups: Array<{ hash: string; from: number; to: number; runs: RunDirectory[] }> = [];
  for (const run of [...runs].sort((a, b) => loadOrigin(a) - loadOrigin(b))) {
    const from = loadOrigin(run);
    const to = runEnd(run);
    const group = groups.find((candidate) => candidate.hash !== '' && candidate.hash === run.manifest.hash && from < candidate.to && to > candidate.from && Math.abs(from - candidate.from) <= AGENT_START_SLACK_MS);
    if (group === undefined) groups.push({ hash: run.manifest.hash, from, to, runs: [run] });
    else {
      group.runs.push(run);
      group.to = Math.max(group.to, to);
    }
  }
  return groups.map((group) => group.runs);
}

/** Alerts a watch session saw while a load ran go onto that load's charts. */
function annotateAlerts(load: LoadSection, watches: readonly WatchSection[]): void {
  const end = load.origin_ms + load.duration_s * 1000;
  for (const alert of watches.flatMap((watch) => watch.alerts)) {
    for (const [at, what] of [[alert.fired_at, 'firing'], [alert.resolved_at, 'resolved']] as const) {
      const ms = Date.parse(at ?? '');
      if (ms >= load.origin_ms && ms <= end) load.annotations.push({ at_s: (ms - load.origin_ms) / 1000, kind: 'alert', label: `${alert.alertname} ${what}` });
    }
  }
  load.annotations.sort((a, b) => a.at_s - b.at_s);
}

function appendixOf(run: RunDirectory): AppendixRun {
  return {
    dir: run.dir,
    kind: run.manifest.kind,
    command: ['live-assure', run.manifest.invocation.command, ...run.manifest.invocation.args].join(' '),
    tool_version: run.manifest.tool.version,
    input_hash: run.manifest.hash,
    started_at: run.manifest.started_at,
    ended_at: run.manifest.ended_at,
    status: run.manifest.status,
    exit_code: run.manifest.exit_code,
    files: run.files,
  };
}

/** Run directories → the report model. Pure: every renderer draws from what this returns. */
export async function buildReport(input: ReportInput): Promise<ReportModel> {
  const byKind = (kind: string): RunDirectory[] => input.runs.filter((run) => run.manifest.kind === kind);
  const watches = byKind('watch').map(buildWatchSection);
  const loads: LoadSection[] = [];
  for (const [i, group] of groupLoadtests(byKind('loadtest')).entries()) loads.push(await buildLoadSection(`load-${i}`, group[0] === undefined ? 'load' : loadName(group[0]), 'loadtest', group));
  const rehearsals = [];
  for (const [i, run] of byKind('rehearsal').sort((a, b) => a.manifest.started_at.localeCompare(b.manifest.started_at)).entries()) rehearsals.push(await buildRehearsalSection(run, i));
  for (const load of [...loads, ...rehearsals.flatMap((rehearsal) => (rehearsal.load === undefined ? [] : [rehearsal.load]))]) annotateAlerts(load, watches);

  const capacity: CapacitySection[] = [];
  const notes = [...input.notes, ...input.runs.flatMap((run) => run.notes)];
  for (const load of loads) {
    const run = input.runs.find((candidate) => candidate.dir === load.runs[0]);
    const scenario = load.runs.map((dir) => input.scenarios.get(dir)).find((found) => found !== undefined);
    const scale = recordedScale(run?.manifest.plan);
    if (run?.manifest.scenario === undefined) continue;
    const ran = run.manifest.scenario;
    const ranName = typeof ran === 'object' && ran !== null && 'name' in ran ? ran.name : undefined;
    if (scenario !== undefined && ranName !== scenario.name) {
      notes.push(`${load.runs.join(', ')}: ran scenario ${String(ranName)}, not ${scenario.name}: no forecast vs measured for it`);
      continue;
    }
    if (scenario === undefined || scale === undefined) {
      notes.push(`${load.runs.join(', ')}: no forecast vs measured (the scenario file could not be found; give --scenario <file>)`);
      continue;
    }
    capacity.push(buildCapacitySection(load, scenario, scale));
  }
  const probes = byKind('probe').flatMap((run) => {
    const view = buildProbeView(run, [...input.scenarios.values()]);
    if (view === undefined) notes.push(`${run.dir}: a probe run without its result (summary.json): it was interrupted`);
    return view === undefined ? [] : [view];
  });
  const coverage = buildCoverage(watches, rehearsals, input.sops, input.nowMs, input.maxAgeMs);
  const actions = findActionItems(loads, capacity, probes, rehearsals, coverage);
  const starts = input.runs.map((run) => Date.parse(run.manifest.started_at)).filter(Number.isFinite);
  const ends = input.runs.map(runEnd).filter(Number.isFinite);
  const window = { from: new Date(Math.min(...starts)).toISOString(), to: new Date(Math.max(...ends)).toISOString() };
  const model: Omit<ReportModel, 'verdict' | 'summary' | 'title'> = {
    generated_at: new Date(input.nowMs).toISOString(),
    tool: input.tool,
    window,
    loads,
    capacity,
    probes,
    rehearsals,
    watches,
    coverage,
    actions,
    notes,
    appendix: input.runs.map(appendixOf),
  };
  const names = [...new Set([...loads.map((load) => load.title), ...rehearsals.map((rehearsal) => rehearsal.sop.id)])];
  const title = `${names.length === 1 ? names[0] : `${input.runs.length} runs`} — ${window.from.slice(0, 16).replace('T', ' ')} to ${window.to.slice(0, 16).replace('T', ' ')} UTC`;
  return { title, verdict: reportVerdict(model), summary: describeRuns(model), ...model };
}
