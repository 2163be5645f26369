import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { newLagHistogram } from './histograms.js';
import { latencyOf, mergeRecords, Totals } from './endpoint-totals.js';
import type { IntervalRecord } from './latency-intervals.js';
import { droppedBecause, planEndpoints, type LoadPlan } from './load-plan.js';
import { levelAt } from './load-profile.js';
import type { GeneratorReport } from './load-generator.js';
import type { ErrorKind } from './request-outcome.js';
import type { EndpointSnapshot, RunEvent, RunSnapshot, WarningReason } from './run-events.js';
import { abortHolds, evaluateThresholds, type Scopes, type ThresholdResult } from './threshold-evaluation.js';

const HISTORY_SECONDS = 60;

export interface AbortTrigger {
  expr: string;
  value: number | null;
  second: number;
}

/**
 * Merges what the generators report into whole seconds, once every generator is past them, and
 * turns each second into events: the records to store, a snapshot for dashboards, threshold flips,
 * generator warnings, and the first abort condition that holds.
 */
export class RunAggregator {
  readonly #plan: LoadPlan;
  readonly #emit: (event: RunEvent) => void;
  readonly #now: () => number;
  readonly #scopes: Scopes;
  readonly #completeUpTo: number[];
  readonly #pending = new Map<number, IntervalRecord[]>();
  readonly #endpoints = new Map<string, { totals: Totals; history: Array<number | null>; lastCount: number }>();
  readonly #overall = new Totals();
  readonly #window: IntervalRecord[][] = [];
  readonly #windowSeconds: number;
  readonly #lag = newLagHistogram();
  #secondLag = newLagHistogram();
  #emittedUpTo = 0;
  readonly #startedBySecond = new Map<number, number>();
  readonly #inFlight: number[];
  readonly #queued: number[];
  started = 0;
  dropped = 0;
  /** The most requests seen waiting for a connection at once (all connections busy). */
  maxQueued = 0;
  sent = 0;
  readonly firstErrors = new Map<ErrorKind, string>();
  readonly warnings: string[] = [];
  readonly #warned = new Set<string>();
  #thresholdState = new Map<string, boolean>();
  abort: AbortTrigger | undefined;

  constructor(plan: LoadPlan, workers: number, emit: (event: RunEvent) => void, now: () => number) {
    this.#plan = plan;
    this.#emit = emit;
    this.#now = now;
    this.#scopes = { journeyEndpoints: plan.journeyEndpoints };
    this.#completeUpTo = Array.from({ length: workers }, () => 0);
    this.#inFlight = Array.from({ length: workers }, () => 0);
    this.#queued = Array.from({ length: workers }, () => 0);
    this.#windowSeconds = Math.max(1, ...plan.abort.map((expr) => Math.ceil((expr.forMs ?? 1000) / 1000)));
    for (const name of planEndpoints(plan)) this.#endpoints.set(name, { totals: new Totals(), history: [], lastCount: 0 });
  }

  add(worker: number, report: GeneratorReport): void {
    for (const record of report.records) {
      const list = this.#pending.get(record.second) ?? [];
      list.push(record);
      this.#pending.set(record.second, list);
    }
    const lag = decodeFromCompressedBase64(report.lagUs);
    this.#lag.add(lag);
    this.#secondLag.add(lag);
    this.started += report.started;
    for (const [second, count] of report.startedBySecond) this.#startedBySecond.set(second, (this.#startedBySecond.get(second) ?? 0) + count);
    this.dropped += report.dropped;
    this.sent += report.sent;
    this.#inFlight[worker] = report.inFlight;
    this.#queued[worker] = report.queued;
    this.maxQueued = Math.max(this.maxQueued, this.#queued.reduce((sum, n) => sum + n, 0));
    for (const [kind, description] of report.firstErrors) if (!this.firstErrors.has(kind)) this.firstErrors.set(kind, description);
    if (report.dropped > 0) this.#warn('dropped', `generator could not keep up: ${report.dropped} arrivals dropped at ${droppedBecause(this.#plan.limits)}`);
    if (report.queued > 0) {
      this.#warn('pool', `all ${this.#plan.limits.connections} connections were busy: ${report.queued} requests waited for one (their wait counts in latency; raise --connections if the target can take more)`);
    }
    this.#completeUpTo[worker] = report.completeUpTo;
    const complete = Math.min(...this.#completeUpTo);
    const last = Math.max(-1, ...this.#pending.keys());
    const upTo = complete === Number.MAX_SAFE_INTEGER ? last + 1 : complete;
    for (let second = this.#emittedUpTo; second < upTo; second += 1) this.#emitSecond(second);
    this.#emittedUpTo = Math.max(this.#emittedUpTo, upTo);
  }

  /** The first time each reason comes up: later seconds of the same trouble show in the snapshot and summary. */
  #warn(reason: WarningReason, message: string): void {
    if (this.#warned.has(reason)) return;
    this.#warned.add(reason);
    this.warnings.push(message);
    this.#emit({ type: 'warning', at: this.#now(), reason, message });
  }

  #emitSecond(second: number): void {
    const records = mergeRecords(this.#pending.get(second) ?? []);
    this.#pending.delete(second);
    const secondP99 = new Map<string, { p99: number; count: number }>();
    for (const record of records) {
      const histogram = decodeFromCompressedBase64(record.latency_us);
      this.#overall.add(record, histogram);
      let endpoint = this.#endpoints.get(record.endpoint);
      if (endpoint === undefined) {
        endpoint = { totals: new Totals(), history: [], lastCount: 0 };
        this.#endpoints.set(record.endpoint, endpoint);
      }
      endpoint.totals.add(record, histogram);
      secondP99.set(record.endpoint, { p99: latencyOf(histogram).p99, count: record.count });
    }
    for (const [name, endpoint] of this.#endpoints) {
      const measured = secondP99.get(name);
      endpoint.history.push(measured?.p99 ?? null);
      if (endpoint.history.length > HISTORY_SECONDS) endpoint.history.shift();
      endpoint.lastCount = measured?.count ?? 0;
    }
    this.#window.push(records);
    if (this.#window.length > this.#windowSeconds) this.#window.shift();

    const secondLag = latencyOf(this.#secondLag);
    this.#secondLag = newLagHistogram();
    if (secondLag.p99 > this.#plan.limits.maxLagMs) {
      this.#warn('lag', `generator could not keep up: arrivals started up to ${secondLag.p99} ms late (p99 in second ${second}; bound ${this.#plan.limits.maxLagMs} ms) — the machine is too busy, add --workers or generate from more machines`);
    }
    const thresholds = this.thresholds();
    for (const result of thresholds) {
      if (this.#thresholdState.get(result.expr) !== result.pass && (result.value !== null || this.#thresholdState.has(result.expr))) {
        this.#emit({ type: 'threshold', at: this.#now(), expr: result.expr, value: result.value, pass: result.pass });
      }
      if (result.value !== null) this.#thresholdState.set(result.expr, result.pass);
    }
    this.#checkAbort(second);
    const snapshot = this.#snapshot(second, secondLag.p99, thresholds);
    this.#emit({ type: 'second', at: this.#now(), second, records, snapshot });
  }

  #checkAbort(second: number): void {
    if (this.abort !== undefined) return;
    const window = this.#window.flat();
    for (const expr of this.#plan.abort) {
      if (!abortHolds(expr, window, second + 1, this.#scopes)) continue;
      const covered = window.filter((record) => record.second > second - Math.ceil((expr.forMs ?? 1000) / 1000));
      const [result] = evaluateThresholds([expr], covered, Math.ceil((expr.forMs ?? 1000) / 1000), this.#scopes);
      this.abort = { expr: expr.text, value: result?.value ?? null, second };
      this.#emit({ type: 'aborted', at: this.#now(), expr: expr.text, value: this.abort.value });
      return;
    }
  }

  /** An abort decided outside the measurements (the shadow leak sentinel), in run second `second`. */
  abortBecause(expr: string, second: number): void {
    if (this.abort !== undefined) return;
    this.abort = { expr, value: null, second };
    this.#emit({ type: 'aborted', at: this.#now(), expr, value: null });
  }

  /** Thresholds over everything merged so far. */
  thresholds(seconds = this.#emittedUpTo + 1): ThresholdResult[] {
    const records = [...this.#endpoints].map(([name, endpoint]) => endpoint.totals.asRecord(name));
    return evaluateThresholds(this.#plan.thresholds, records, seconds, this.#scopes);
  }

  #snapshot(second: number, lagP99: number, thresholds: ThresholdResult[]): RunSnapshot {
    const endpoints: EndpointSnapshot[] = [...this.#endpoints].map(([name, endpoint]) => ({
      name,
      requests: endpoint.totals.count,
      errors: endpoint.totals.errorCount,
      rps: endpoint.lastCount,
      latency_ms: endpoint.totals.latency(),
      p99_history: [...endpoint.history],
    }));
    const achieved = this.#startedBySecond.get(second) ?? 0;
    // Arrivals started after their second was merged (a late tick) count nowhere per second; they are in the totals.
    for (const key of this.#startedBySecond.keys()) if (key <= second) this.#startedBySecond.delete(key);
    return {
      elapsedMs: (second + 1) * 1000,
      totalMs: this.#plan.durationMs,
      rate: { target: this.#plan.ratePerSecond * levelAt(this.#plan.segments, second * 1000 + 500), achieved },
      requests: this.sent,
      responses: this.#overall.responses,
      inFlight: this.#inFlight.reduce((sum, n) => sum + n, 0),
      statuses: { ...this.#overall.statuses },
      errors: { ...this.#overall.errors },
      latency_ms: this.#overall.latency(),
      endpoints,
      lag_ms: { p99: lagP99, max: Math.round(this.#lag.maxValue) / 1000 },
      dropped: this.dropped,
      thresholds,
      warnings: [...this.warnings],
    };
  }

  get overall(): Totals {
    return this.#overall;
  }

  get lag(): Histogram {
    return this.#lag;
  }

  endpointTotals(): Array<[string, Totals]> {
    return [...this.#endpoints].map(([name, endpoint]) => [name, endpoint.totals]);
  }

}
