import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { BadIntervalError, measureLoad, type EndpointMeasure, type LoadMeasures } from './load-measures.js';
import { mergedThresholds } from './merged-thresholds.js';
import type { Annotation, EndpointRow, IsolationCheck, IsolationView, LoadSection } from './report-model.js';
import type { EventLine, RunDirectory } from './run-directory.js';
import type { LoadSummaryFile } from './run-files.js';

/** What a load section needs of the recorded plan and scenario (both written by the engine). */
const planShape = z
  .object({ target: z.string().optional(), durationMs: z.number().optional(), journeyEndpoints: z.record(z.string(), z.array(z.string())).optional(), thresholds: z.array(z.object({ text: z.string() }).loose()).optional() })
  .loose();
const sloShape = z.object({ slo: z.object({ p99_ms: z.number().optional(), error_rate: z.number().optional() }).optional() }).loose();

const epoch = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));

/** Wall-clock ms of the load's second 0: when the engine said `started` (after preflight), else the manifest's start. */
export function loadOrigin(run: RunDirectory): number {
  const started = run.events.find((event) => event.type === 'started');
  const at = epoch(started?.at);
  return Number.isFinite(at) ? at : epoch(run.manifest.started_at);
}

const namedRun = z.object({ run: z.object({ name: z.string() }).loose() }).loose();

/** The load's name: its summary's, else what the engine announced at start (a killed run), else its directory. */
export function loadName(run: RunDirectory): string {
  const started = namedRun.safeParse(run.events.find((event) => event.type === 'started'));
  return run.load?.name ?? (started.success ? started.data.run.name : run.dir);
}

/** When a run ended: as recorded, else its last event or interval (a killed run records no end). */
export function runEnd(run: RunDirectory): number {
  const recorded = epoch(run.load?.ended_at ?? run.journal?.ended_at ?? run.manifest.ended_at);
  if (Number.isFinite(recorded)) return recorded;
  const events = run.events.map((event) => epoch(event.at)).filter(Number.isFinite);
  const lastSecond = run.intervals.reduce((latest, line) => Math.max(latest, line.second + 1), 0);
  return Math.max(loadOrigin(run) + lastSecond * 1000, ...events, epoch(run.manifest.started_at));
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function annotationOf(event: EventLine, origin: number, failing: Set<string>): Annotation | undefined {
  const at_s = (epoch(event.at) - origin) / 1000;
  if (!Number.isFinite(at_s)) return undefined;
  switch (event.type) {
    case 'threshold': {
      const expr = text(event['expr']);
      if (event['pass'] === false && !failing.has(expr)) {
        failing.add(expr);
        return { at_s, kind: 'breach', label: `breach: ${expr}` };
      }
      if (event['pass'] === true && failing.delete(expr)) return { at_s, kind: 'breach', label: `back within: ${expr}` };
      return undefined;
    }
    case 'aborted':
      return { at_s, kind: 'abort', label: `abort: ${text(event['expr'])}` };
    case 'stopping':
      return event['reason'] === 'completed' ? undefined : { at_s, kind: 'stop', label: `stopping: ${text(event['reason'])}` };
    case 'warning':
      return { at_s, kind: 'warning', label: text(event['message']) };
    case 'isolation':
      return event['ok'] === false ? { at_s, kind: 'isolation', label: `${text(event['check'])}: ${text(event['message'])}` } : undefined;
    default:
      return undefined;
  }
}

function isolationOf(runs: readonly RunDirectory[]): IsolationView | undefined {
  const checks: IsolationCheck[] = runs.flatMap((run) => run.events.filter((event) => event.type === 'isolation').map((event) => ({ check: text(event['check']), ok: event['ok'] !== false, message: text(event['message']) })));
  const shadows = runs.flatMap((run) => (run.load?.shadow === undefined ? [] : [run.load.shadow]));
  if (checks.length === 0 && shadows.length === 0) return undefined;
  const last = (check: string): string => {
    const found = checks.filter((entry) => entry.check === check);
    const failed = found.find((entry) => !entry.ok);
    return (failed ?? found[found.length - 1])?.message ?? 'not run';
  };
  const hits = shadows.reduce((sum, shadow) => sum + shadow.sentinel_hits, 0);
  const sentinelChecks = shadows.reduce((sum, shadow) => sum + (shadow.sentinel?.checks ?? 0), 0);
  const failedChecks = shadows.reduce((sum, shadow) => sum + (shadow.sentinel?.failed_checks ?? 0), 0);
  const sampled = shadows.reduce((sum, shadow) => sum + (shadow.sentinel?.writes_checked ?? 0), 0);
  const seen = shadows.reduce((sum, shadow) => sum + (shadow.sentinel?.writes_seen ?? 0), 0);
  const sentinel = shadows.some((shadow) => shadow.sentinel !== undefined)
    ? `${hits} hits in ${sentinelChecks} checks of ${sampled} sampled writes (of ${seen})${failedChecks > 0 ? `; ${failedChecks} checks could not be made` : ''}`
    : 'not run';
  const unisolated = [...new Set(shadows.flatMap((shadow) => shadow.unisolated))];
  // A run whose writes were proven isolated must also have been audited and cleaned up: one
  // killed in between may have left shadow data, and nothing proved production untouched.
  const provenWrites = checks.some((check) => check.check === 'preflight' && check.ok);
  const finished = ['audit', 'cleanup'].every((check) => checks.some((entry) => entry.check === check));
  return {
    ok: checks.every((check) => check.ok) && hits === 0 && failedChecks === 0 && unisolated.length === 0 && (!provenWrites || finished),
    unisolated,
    preflight: last('preflight'),
    sentinel,
    sentinel_ok: hits === 0 && failedChecks === 0 && !checks.some((check) => check.check === 'sentinel' && !check.ok),
    audit: last('audit'),
    cleanup: last('cleanup'),
    checks,
  };
}

function row(measure: EndpointMeasure, slo: LoadSection['slo']): EndpointRow {
  const p99 = measure.latency_ms?.p99;
  return {
    ...measure,
    slo_p99_ok: slo?.p99_ms === undefined || p99 === undefined ? null : p99 <= slo.p99_ms,
    slo_errors_ok: slo?.error_rate === undefined || measure.requests === 0 ? null : measure.error_rate <= slo.error_rate,
  };
}

const startedShape = z.object({ run: z.object({ endpoints: z.array(z.string()) }) }).loose();

/** Endpoints in the order the journeys first use them (as the engine announced them), not the order they first answered. */
function inDeclaredOrder(endpoints: readonly EndpointMeasure[], runs: readonly RunDirectory[]): EndpointMeasure[] {
  const declared = runs.flatMap((run) => {
    const parsed = startedShape.safeParse(run.events.find((event) => event.type === 'started'));
    return parsed.success ? parsed.data.run.endpoints : [];
  });
  const rank = (name: string): number => {
    const at = declared.indexOf(name);
    return at === -1 ? declared.length : at;
  };
  return [...endpoints].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

function groupVerdict(summaries: readonly LoadSummaryFile[], thresholdsPass: boolean, runs: number): LoadSection['verdict'] {
  if (summaries.length < runs) return summaries.some((summary) => summary.verdict !== 'pass') ? 'fail' : 'unknown';
  if (summaries.some((summary) => summary.verdict === 'aborted')) return 'aborted';
  return summaries.every((summary) => summary.verdict === 'pass') && thresholdsPass ? 'pass' : 'fail';
}

/**
 * One load, from one run directory or from several agents' run directories of the same scenario
 * (their seconds aligned on the wall clock). `extra` annotations come from elsewhere: a
 * rehearsal's phases, alerts a watch session received meanwhile.
 */
export async function buildLoadSection(id: string, title: string, kind: LoadSection['kind'], runs: readonly RunDirectory[]): Promise<LoadSection> {
  const origins = runs.map(loadOrigin);
  const origin = Math.min(...origins);
  const offsets = origins.map((at) => Math.round((at - origin) / 1000));
  const first = runs[0];
  const plan = planShape.safeParse(first?.manifest.plan);
  const lengths = runs.map((run, i) => (offsets[i] ?? 0) + (run.load?.duration_ms ?? Number.NaN) / 1000).filter(Number.isFinite);
  let measures: LoadMeasures;
  try {
    measures = await measureLoad(runs.map((run, i) => ({ offset_s: offsets[i] ?? 0, intervals: run.intervals })), lengths.length === runs.length ? Math.max(...lengths) : undefined);
  } catch (error) {
    if (!(error instanceof BadIntervalError)) throw error;
    throw new InvalidInputError([{ file: `${runs[error.run]?.dir ?? ''}/intervals.ndjson`, line: error.index + 1, col: 1, path: '', message: error.message }]);
  }
  const journeys = plan.success ? (plan.data.journeyEndpoints ?? {}) : {};
  const scenario = sloShape.safeParse(first?.manifest.scenario);
  const slo = scenario.success ? scenario.data.slo : undefined;
  const summaries = runs.flatMap((run) => (run.load === undefined ? [] : [run.load]));
  // A killed run has no summary: its thresholds are judged from what its intervals hold.
  const planned = (plan.success ? (plan.data.thresholds ?? []) : []).map((threshold) => ({ expr: threshold.text, value: null, pass: false }));
  const recorded = runs.map((run) => run.load?.thresholds ?? planned);
  const thresholds = runs.length === 1 && summaries.length === 1 ? (summaries[0]?.thresholds ?? []) : mergedThresholds(recorded, measures, journeys);
  const annotations = runs.flatMap((run, i) => {
    const failing = new Set<string>();
    return run.events.flatMap((event) => {
      const annotation = annotationOf(event, origins[i] ?? origin, failing);
      return annotation === undefined ? [] : [annotation];
    });
  });
  const endedAt = Math.max(...runs.map(runEnd), origin + measures.seconds * 1000);
  const abort = summaries.find((summary) => summary.abort !== undefined)?.abort;
  const verdict = kind === 'loadtest' ? groupVerdict(summaries, thresholds.every((threshold) => threshold.pass), runs.length) : 'unknown';
  return {
    id,
    title,
    kind,
    runs: runs.map((run) => run.dir),
    target: summaries[0]?.target ?? (plan.success ? (plan.data.target ?? '') : ''),
    started_at: new Date(origin).toISOString(),
    ended_at: new Date(endedAt).toISOString(),
    duration_s: measures.seconds,
    verdict,
    partial: summaries.some((summary) => summary.partial) || summaries.length < runs.length,
    stop_reason: summaries.find((summary) => summary.stop_reason !== 'completed')?.stop_reason,
    totals: row(measures.all, slo),
    endpoints: inDeclaredOrder(measures.endpoints, runs).map((measure) => row(measure, slo)),
    thresholds,
    slo,
    abort: abort === undefined ? undefined : `${abort.expr} (${abort.value ?? 'no data'}) at ${Math.round(abort.at_ms / 1000)}s`,
    series: measures.series,
    annotations: annotations.sort((a, b) => a.at_s - b.at_s),
    bands: [],
    isolation: isolationOf(runs),
    generator_warnings: [...new Set(summaries.flatMap((summary) => summary.generator?.warnings ?? []))],
    first_errors: [...new Set(summaries.flatMap((summary) => summary.first_errors ?? []))],
    origin_ms: origin,
  };
}
