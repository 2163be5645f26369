import { resolve } from 'node:path';
import { runClosedSweep, type LevelMeasurement, type SweepResult, type SweepTarget } from '../engine/closed-sweep.js';
import { createRunStore, inputHash } from '../engine/run-store.js';
import { analyseProbe, judgeLevel, type LevelVerdict, type ProbeAnalysis, type ProbeSlo } from '../engine/probe-knee.js';
import { HTTP_METHODS } from '../scenarios/http-methods.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { parseDuration, parseNumberText } from '../scenarios/unit-text.js';
import { formatNumber } from './flag-numbers.js';
import { readVersion } from '../version.js';
import { renderRows } from './render-rows.js';

export interface ProbeOptions {
  url: string;
  concurrency: string;
  stepDuration: string;
  method?: string;
  body?: string;
  /** `name: value`, once per --header. */
  header?: string[];
  sloP99: string;
  /** The scenario service this URL is one instance of: `report` sets the knee against its per_instance_qps. */
  service?: string;
  /** Write a run directory (kind probe) here, for `report`. */
  out?: string;
  json?: boolean;
}

/** The share of requests without a 2xx a level may have and still count for the knee. */
const MAX_ERROR_SHARE = 0.01;
/** One socket per connection: beyond this a typo is likelier than a plan. */
const MAX_CONCURRENCY = 10_000;
const MIN_STEP_MS = 1000;
const MAX_STEP_MS = 3_600_000;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseUrl(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--url: expected an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  }
  return url.href;
}

function parseLevels(raw: string): number[] {
  const levels: number[] = [];
  for (const part of raw.split(',')) {
    const level = parseNumberText(part);
    if (level === undefined || !Number.isInteger(level) || level < 1) {
      throw new UsageError(`--concurrency: expected whole numbers ≥ 1 separated by commas (e.g. 1,2,4,8), got ${JSON.stringify(raw)}`);
    }
    if (level > MAX_CONCURRENCY) throw new UsageError(`--concurrency: at most ${MAX_CONCURRENCY} connections per level, got ${level}`);
    const previous = levels.at(-1);
    if (previous !== undefined && level <= previous) {
      throw new UsageError(`--concurrency: levels must be strictly increasing, got ${level} after ${previous}`);
    }
    levels.push(level);
  }
  return levels;
}

function parseStep(raw: string): number {
  const ms = parseDuration(raw);
  if (ms === undefined || ms < MIN_STEP_MS || ms > MAX_STEP_MS) {
    throw new UsageError(`--step-duration: expected a duration from 1s to 1h (e.g. "10s"), got ${JSON.stringify(raw)}`);
  }
  return ms;
}

/** `200ms`, `0.2s`, or a bare number of milliseconds. */
function parseSloMs(raw: string): number {
  const ms = parseDuration(raw) ?? parseNumberText(raw);
  if (ms === undefined || !(ms > 0)) throw new UsageError(`--slo-p99: expected a positive duration like "200ms", got ${JSON.stringify(raw)}`);
  return ms;
}

function parseTarget(options: ProbeOptions, url: string): SweepTarget {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  if (!HTTP_METHODS.some((known) => known === method.toUpperCase())) throw new UsageError(`--method: expected one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  const headers: Record<string, string> = {};
  for (const raw of options.header ?? []) {
    const colon = raw.indexOf(':');
    const name = raw.slice(0, colon).trim();
    if (colon === -1 || !HEADER_NAME.test(name)) throw new UsageError(`--header: expected "name: value", got ${JSON.stringify(raw)}`);
    headers[name.toLowerCase()] = raw.slice(colon + 1).trim();
  }
  return { url, method: method.toUpperCase(), headers, ...(options.body === undefined ? {} : { body: options.body }) };
}

const ms = (value: number): string => `${formatNumber(value, 4)} ms`;
const percent = (share: number): string => `${formatNumber(share * 100, 3)}%`;
const reqPerSecond = (x: number): string => `${formatNumber(x, 4)} req/s`;

/** A whole number to paste into a scenario (rounded down: the knee is a ceiling), small ones kept to 2 digits. */
const suggestedQps = (throughput: number): number => (throughput >= 10 ? Math.floor(throughput) : Number(throughput.toPrecision(2)));

function hintFor(knee: LevelMeasurement): string {
  const p99 = knee.latency_ms === null ? '' : `, p99 ${ms(knee.latency_ms.p99)}`;
  return `per_instance_qps: ${suggestedQps(knee.throughput)}   # probe knee at concurrency ${knee.concurrency}${p99}`;
}

function progressLine(level: LevelMeasurement, slo: ProbeSlo): string {
  const verdict = judgeLevel(level, slo);
  const latency = level.latency_ms === null ? 'no 2xx' : `p50 ${ms(level.latency_ms.p50)}, p99 ${ms(level.latency_ms.p99)}`;
  const outcome = verdict.meets ? 'meets the SLO' : `misses: ${verdict.misses.join('; ')}`;
  return `probe: concurrency ${level.concurrency}: ${reqPerSecond(level.throughput)}, ${latency}, errors ${percent(level.error_share)} — ${outcome}\n`;
}

/** Rows of equal-width cells (numbers right-aligned, the last column left), so renderRows' value column reads as a table. */
function cells(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const last = widths.length - 1;
  const pad = (cell: string, column: number): string => (column === last ? cell : cell.padStart(widths[column] ?? 0));
  return rows.map((row) => row.map(pad).join('  ').trimEnd());
}

function verdictText(verdict: LevelVerdict | undefined): string {
  return verdict === undefined || verdict.meets ? 'meets' : verdict.misses.join('; ');
}

function renderFit(analysis: ProbeAnalysis): string {
  const fit = analysis.usl;
  if (fit === null) return analysis.fit_notes.map((note) => `${note}\n`).join('');
  const limit: [string, string] =
    fit.peak !== null
      ? ['predicted peak', `X ≈ ${formatNumber(fit.peak.throughput, 4)} at N ≈ ${formatNumber(fit.peak.concurrency)}`]
      : ['predicted limit', fit.amdahl_ceiling !== null ? `X → ${formatNumber(fit.amdahl_ceiling, 4)} (λ/σ; κ = 0, no peak)` : 'none: linear scaling (σ = κ = 0)'];
  return `USL fit to ${fit.points} levels\n${renderRows([
    ['σ (contention)', formatNumber(fit.sigma, 4)],
    ['κ (coherency)', formatNumber(fit.kappa, 4)],
    ['λ (X at N = 1)', formatNumber(fit.lambda, 4)],
    limit,
    ['R²', fit.r2.toFixed(4)],
  ])}`;
}

function renderHuman(target: SweepTarget, stepMs: number, slo: ProbeSlo, sweep: SweepResult, analysis: ProbeAnalysis): string {
  const { levels } = sweep;
  const head = `closed-loop probe of ${target.method} ${target.url}, ${formatNumber(stepMs / 1000, 4)} s per level; SLO: p99 ≤ ${ms(slo.p99Ms)}, errors ≤ ${percent(slo.maxErrorShare)}\n`;
  const table = cells([
    ['throughput', 'p50', 'p99', 'errors', ''],
    ...levels.map((level, index) => [
      reqPerSecond(level.throughput),
      level.latency_ms === null ? '—' : ms(level.latency_ms.p50),
      level.latency_ms === null ? '—' : ms(level.latency_ms.p99),
      percent(level.error_share),
      verdictText(analysis.verdicts[index]),
    ]),
  ]);
  const rows = renderRows(table.map((value, index) => [index === 0 ? 'concurrency' : String(levels[index - 1]?.concurrency), value]));
  const knee = analysis.knee;
  const kneeText =
    knee === null
      ? `knee: none — no level meets p99 ≤ ${ms(slo.p99Ms)} with errors ≤ ${percent(slo.maxErrorShare)}\n`
      : `knee: concurrency ${knee.concurrency}, ${reqPerSecond(knee.throughput)}${knee.latency_ms === null ? '' : `, p99 ${ms(knee.latency_ms.p99)}`}\n`;
  const hint = knee === null ? '' : `\n${hintFor(knee)}\n`;
  const stopped =
    sweep.interrupted_at === null ? '' : `  interrupted during concurrency ${sweep.interrupted_at}: its partial numbers are dropped\n`;
  return `${head}${levels.length === 0 ? '  no level finished\n' : rows}${stopped}\n${kneeText}${renderFit(analysis)}${hint}`;
}

/** A run directory of kind probe: the sweep as `--json` prints it, in `summary.json`. */
function writeProbeRun(dir: string, options: ProbeOptions, result: object, startedAt: string, io: Io): void {
  try {
    const store = createRunStore(dir, {
      kind: 'probe',
      tool: { name: 'live-assure', version: readVersion() },
      invocation: { command: 'probe', args: [], options: { ...options, ...(options.header === undefined ? {} : { header: options.header.map((header) => `${header.split(':')[0] ?? ''}: ***`) }) } },
      plan: null,
      hash: inputHash({ url: options.url, concurrency: options.concurrency, stepDuration: options.stepDuration }),
      started_at: startedAt,
      ended_at: new Date(io.now()).toISOString(),
      status: 'running',
    });
    store.writeSummary(result);
    store.finish(ExitCode.Ok);
  } catch (error) {
    throw new UsageError(`probe: cannot write the run directory ${dir}: ${error instanceof Error ? error.message : String(error)}`, 'give --out a directory path that can be created');
  }
}

/** `probe`: a closed-loop concurrency sweep against one URL, its knee under the SLO, and the USL fitted to it. */
export async function runProbe(options: ProbeOptions, io: Io): Promise<number> {
  const url = parseUrl(options.url);
  const levels = parseLevels(options.concurrency);
  const stepMs = parseStep(options.stepDuration);
  const slo: ProbeSlo = { p99Ms: parseSloMs(options.sloP99), maxErrorShare: MAX_ERROR_SHARE };
  const target = parseTarget(options, url);

  const startedAt = new Date(io.now()).toISOString();
  const sweep = await runClosedSweep(target, {
    levels,
    stepMs,
    signal: io.signal,
    onLevel: (level) => io.stderr.write(progressLine(level, slo)),
  });
  const analysis = analyseProbe(sweep.levels, slo);
  const warnings = analysis.fit_notes;

  const { knee, usl } = analysis;
  const result = {
      url: target.url,
      method: target.method,
      step_ms: stepMs,
      slo: { p99_ms: slo.p99Ms, max_error_share: slo.maxErrorShare },
      levels: sweep.levels.map((level, index) => ({ ...level, meets_slo: analysis.verdicts[index]?.meets ?? false, misses: analysis.verdicts[index]?.misses ?? [] })),
      knee: knee === null ? null : { concurrency: knee.concurrency, throughput: knee.throughput, p99_ms: knee.latency_ms?.p99 ?? null },
      per_instance_qps: knee === null ? null : suggestedQps(knee.throughput),
      hint: knee === null ? null : hintFor(knee),
      usl: usl === null ? null : { sigma: usl.sigma, kappa: usl.kappa, lambda: usl.lambda, peak: usl.peak, amdahl_ceiling: usl.amdahl_ceiling, r2: usl.r2, points: usl.points },
      interrupted_at: sweep.interrupted_at,
      warnings,
      ...(options.service === undefined ? {} : { service: options.service }),
    };
  if (options.out !== undefined) writeProbeRun(resolve(io.cwd, options.out), options, result, startedAt, io);
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    // A skipped fit is said in the report itself; only a fit with caveats warns.
    if (analysis.usl !== null) for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
    io.stdout.write(renderHuman(target, stepMs, slo, sweep, analysis));
  }
  if (sweep.interrupted_at !== null) return ExitCode.Interrupted;
  return analysis.knee === null ? ExitCode.Finding : ExitCode.Ok;
}
