import { evaluateThresholds, type Scopes } from '../engine/threshold-evaluation.js';
import { parseThresholdExpr } from '../scenarios/threshold-expr.js';
import type { ActionOutcome } from './actions/action-context.js';
import { firstAlertAfter, whyNoAlert, type AlertFeed } from './alert-feed.js';
import { describeMatcherSets, withoutAlertname } from './alert-detection.js';
import { injectFault, type FaultContext } from './actions/inject-fault.js';
import { pollHttp } from './actions/poll-http.js';
import { runStep } from './actions/run-step.js';
import type { LoadRecorder } from './load-recorder.js';
import { firstSecondHolding, hypothesisNames, judgePhase } from './phase-judge.js';
import { formatMetric, type HypothesisVerdict, type LoadWindow } from './phase-verdict.js';
import type { Check, CheckGroup, MilestoneName, PhaseName, RehearsalEvent, RehearsalResult, Stop } from './rehearsal-model.js';
import { rehearsalTimings } from './rehearsal-timings.js';
import { describeDetection, describeTrigger, formatSeconds } from './sop-descriptions.js';
import type { Sop } from './sop-schema.js';

export interface FlowOptions {
  sop: Sop;
  recorder: LoadRecorder;
  scopes: Scopes;
  emit(event: RehearsalEvent): void;
  now(): number;
  startedAt: number;
  /** Where actions act. */
  actions: Omit<FaultContext, 'signal'>;
  /** Aborted when the rehearsal must stop: forward actions and waits end at once. Rollback is not stopped by it (a second Ctrl-C ends the process). */
  haltSignal: AbortSignal;
  /** Ctrl-C, which cuts the recovered window short. */
  interrupt: AbortSignal;
  /** Why the rehearsal is stopping, if it is. */
  halted(): Stop | undefined;
  /** Stops the rehearsal (a manual step answered abort). */
  halt(stop: Stop): void;
  /** The alerts a webhook receiver hears: required by `detection.alert`. */
  alerts?: AlertFeed;
}

type VerifiedPhase = 'baseline' | 'degraded' | 'recovered';


/** The steps of one rehearsal and everything they found; `rehearse` drives it. */
export class RehearsalFlow {
  readonly #o: FlowOptions;
  readonly checks: Check[] = [];
  readonly #milestones: Partial<Record<MilestoneName, number>> = {};
  readonly #windows: RehearsalResult['windows'] = {};
  #baseline: LoadWindow | undefined;
  #fault: (() => Promise<ActionOutcome>) | undefined;
  readonly #undos: Array<{ name: string; undo: () => Promise<ActionOutcome> }> = [];
  #rolledBackAt: number | undefined;
  #rollbackFailed = false;
  #unreachable = false;
  /** The fault could not be put in (a proxy or hook that refused it): nothing was rehearsed. */
  #notInjected = false;
  /** What forward steps act with; undos and the fault's removal run unstopped (they take no signal from here). */
  readonly #ctx: FaultContext;

  constructor(options: FlowOptions) {
    this.#o = options;
    this.#ctx = { ...options.actions, signal: options.haltSignal };
  }

  #at(time = this.#o.now()): number {
    return Math.round(time - this.#o.startedAt);
  }

  /** Everything said goes through the redactor: SOP text (a probe path, a shell command) may hold a secret. */
  #redact(text: string): string {
    return this.#o.actions.redact(text);
  }

  #phase(phase: PhaseName, detail: string): void {
    this.#o.emit({ type: 'phase', at: this.#at(), phase, detail: this.#redact(detail) });
  }

  #step(phase: 'mitigation' | 'rollback', name: string): void {
    this.#o.emit({ type: 'step', at: this.#at(), phase, name: this.#redact(name) });
  }

  #mark(milestone: MilestoneName, time: number): void {
    this.#milestones[milestone] = time;
    this.#o.emit({ type: 'milestone', at: this.#at(), time: this.#at(time), milestone });
  }

  #check(check: Check): void {
    const said = { ...check, name: this.#redact(check.name), message: this.#redact(check.message) };
    this.checks.push(said);
    this.#o.emit({ type: 'check', at: this.#at(), check: said });
  }

  /** The fault went in: abort conditions are watched from here until rollback. */
  get injected(): boolean {
    return this.#milestones.injected !== undefined;
  }

  #skip(group: CheckGroup, names: readonly string[], reason: string): void {
    for (const name of names) this.#check({ group, name, result: 'skipped', message: reason, ms: 0 });
  }

  #stepCheck(group: CheckGroup, name: string, outcome: ActionOutcome): Check {
    const check: Check = { group, name, result: outcome.ok ? 'passed' : 'error', message: outcome.summary, ms: Math.round(outcome.endedAt - outcome.startedAt) };
    if (outcome.output !== undefined) check.output = outcome.output;
    this.#check(check);
    return check;
  }

  /** Everything from `from` on that did not run, as skipped checks (mitigation from step `stepsDone`). */
  #skipFrom(from: 'precheck' | 'trigger' | 'detection' | 'mitigation', reason: string, stepsDone = 0): void {
    const { sop } = this.#o;
    const start = ['precheck', 'trigger', 'detection', 'mitigation'].indexOf(from);
    if (start <= 0) this.#skip('precheck', hypothesisNames(sop.verification.baseline), reason);
    if (start <= 1) this.#skip('trigger', [`inject ${describeTrigger(sop)}`], reason);
    if (start <= 2) this.#skip('detection', [describeDetection(sop)], reason);
    this.#skip('mitigation', sop.mitigation.slice(stepsDone).map((step) => step.name), reason);
    this.#skip('verification.degraded', hypothesisNames(sop.verification.degraded), reason);
  }

  #stopReason(): string | undefined {
    const stop = this.#o.halted();
    return stop === undefined ? undefined : `not reached: ${stop.reason}`;
  }

  /** Waits out a phase's settle time and window over the load; undefined if the rehearsal stopped first. */
  async #window(name: VerifiedPhase, from: number, signal: AbortSignal): Promise<{ fromSecond: number; seconds: number } | undefined> {
    const phase = this.#o.sop.verification[name];
    const fromSecond = this.#o.recorder.firstSecondFrom(from + phase.settle);
    const windowSeconds = Math.max(1, Math.round(phase.window / 1000));
    this.#phase(name, `${phase.settle > 0 ? `settle ${formatSeconds(phase.settle)}, then ` : ''}window of ${windowSeconds}s (load seconds ${fromSecond}–${fromSecond + windowSeconds})`);
    const complete = await this.#o.recorder.until(fromSecond + windowSeconds - 1, signal);
    return complete ? { fromSecond, seconds: windowSeconds } : undefined;
  }

  #judge(name: VerifiedPhase, group: CheckGroup, window: { fromSecond: number; seconds: number }): HypothesisVerdict[] {
    const verdicts = judgePhase(this.#o.sop.verification[name], this.#o.recorder, window.fromSecond, window.seconds, this.#o.scopes, this.#baseline);
    this.#windows[name] = { from_second: window.fromSecond, seconds: window.seconds, verdicts };
    for (const verdict of verdicts) {
      this.#check({ group, name: verdict.hypothesis, result: verdict.pass ? 'passed' : 'failure', message: verdict.detail, ms: window.seconds * 1000 });
    }
    return verdicts;
  }

  /** Baseline, inject, detect, mitigate, degraded: stops at the first thing that makes going on pointless. */
  async forward(): Promise<void> {
    const { sop, recorder } = this.#o;
    const actions = this.#ctx;
    const baselineWindow = await this.#window('baseline', this.#o.now(), this.#o.haltSignal);
    if (baselineWindow === undefined) return this.#skipFrom('precheck', this.#stopReason() ?? 'the background load ended');
    this.#baseline = recorder.window(baselineWindow.fromSecond, baselineWindow.seconds);
    const responses = this.#baseline.records.reduce((sum, record) => sum + record.count - (record.statuses['none'] ?? 0), 0);
    if (this.#judge('baseline', 'precheck', baselineWindow).some((verdict) => !verdict.pass)) {
      this.#unreachable = responses === 0;
      return this.#skipFrom('trigger', this.#unreachable ? 'the target never answered during the baseline: nothing was injected' : 'the baseline did not hold: nothing was injected');
    }

    this.#phase('inject', describeTrigger(sop));
    const injected = await injectFault(sop, actions);
    // Even a failed injection may have landed (a toxic add that timed out, a call cut off): its remove
    // always runs, and says so when there was nothing to remove.
    this.#fault = injected.remove;
    this.#stepCheck('trigger', `inject ${describeTrigger(sop)}`, injected.outcome);
    if (!injected.outcome.ok) {
      this.#notInjected = true;
      return this.#skipFrom('detection', 'the fault could not be injected');
    }
    const injectedAt = injected.injectedAt ?? injected.outcome.endedAt;
    this.#mark('injected', injectedAt);

    await this.#detect(injectedAt);
    const stopped = this.#stopReason();
    if (stopped !== undefined) return this.#skipFrom('mitigation', stopped, 0);
    await this.#mitigate();
  }

  async #detect(injectedAt: number): Promise<void> {
    const { sop, recorder, scopes } = this.#o;
    const actions = this.#ctx;
    const detection = sop.detection;
    const name = describeDetection(sop);
    const deadline = injectedAt + detection.within;
    this.#phase('detection', `${name}`);
    let detectedAt: number | undefined;
    let measured = '';
    if (detection.probe !== undefined) {
      const polled = await pollHttp(detection.probe.http, detection.probe.every, Math.max(0, deadline - this.#o.now()), actions);
      detectedAt = polled.metAt;
      measured = polled.outcome.summary;
    } else if (detection.alert !== undefined) {
      const feed = this.#o.alerts;
      if (feed === undefined) throw new RangeError('detection.alert needs the alert receiver rehearse starts');
      const alert = await firstAlertAfter(feed, injectedAt, deadline, this.#o.now, actions.signal);
      detectedAt = alert?.at;
      measured = alert === undefined ? whyNoAlert(feed, injectedAt) : `${alert.alertname} ${describeMatcherSets([withoutAlertname(alert.labels)])} ${alert.change}, notified at ${feed.url}`;
    } else {
      const expr = parseThresholdExpr(detection.metric ?? '');
      if ('error' in expr) throw new RangeError(expr.error);
      let worst: number | null = null;
      for (let second = recorder.secondAt(injectedAt); recorder.timeOf(second) < deadline; second += 1) {
        if (!(await recorder.until(second, actions.signal))) break;
        const [result] = evaluateThresholds([expr], recorder.window(second, 1).records, 1, scopes);
        if (result?.value !== null && result?.value !== undefined) worst = worst === null ? result.value : expr.op.startsWith('>') ? Math.max(worst, result.value) : Math.min(worst, result.value);
        if (result?.pass === true) {
          detectedAt = Math.max(injectedAt, recorder.timeOf(second + 1));
          measured = `${formatMetric(expr, result.value ?? 0)} over load second ${second}`;
          break;
        }
      }
      if (detectedAt === undefined) measured = worst === null ? 'nothing measured' : `the closest it came: ${formatMetric(expr, worst)} in one second`;
    }
    const stopped = this.#stopReason();
    if (detectedAt === undefined && stopped !== undefined) return this.#skip('detection', [name], stopped);
    const ms = Math.round((detectedAt ?? this.#o.now()) - injectedAt);
    if (detectedAt !== undefined) this.#mark('detected', detectedAt);
    const inTime = detectedAt !== undefined && detectedAt - injectedAt <= detection.within;
    const message = detectedAt === undefined ? `not detected within ${formatSeconds(detection.within)}: ${measured}` : `detected after ${formatSeconds(ms)}${inTime ? '' : `, later than ${formatSeconds(detection.within)}`}: ${measured}`;
    this.#check({ group: 'detection', name, result: inTime ? 'passed' : 'failure', message, ms });
  }

  async #mitigate(): Promise<void> {
    const { sop, recorder } = this.#o;
    const actions = this.#ctx;
    const startedAt = this.#o.now();
    this.#mark('mitigationStarted', startedAt);
    this.#phase('mitigation', `${sop.mitigation.length} step${sop.mitigation.length === 1 ? '' : 's'}`);
    for (const [index, step] of sop.mitigation.entries()) {
      const stopped = this.#stopReason();
      if (stopped !== undefined) return this.#skipFrom('mitigation', stopped, index);
      this.#step('mitigation', step.name);
      const { outcome, undo } = await runStep(step, actions);
      if (undo !== undefined) this.#undos.push({ name: step.name, undo });
      this.#stepCheck('mitigation', step.name, outcome);
      if (outcome.abort === true) this.#o.halt({ kind: 'abort', reason: `manual step "${step.name}" answered abort` });
      if (!outcome.ok) return this.#skipFrom('mitigation', this.#stopReason() ?? 'an earlier mitigation step failed', index + 1);
    }
    const window = await this.#window('degraded', this.#o.now(), this.#o.haltSignal);
    if (window === undefined) return this.#skip('verification.degraded', hypothesisNames(sop.verification.degraded), this.#stopReason() ?? 'the background load ended');
    this.#judge('degraded', 'verification.degraded', window);
    const last = window.fromSecond + window.seconds - 1;
    const mitigated = firstSecondHolding(sop.verification.degraded, recorder, recorder.secondAt(startedAt), last, this.#o.scopes, this.#baseline);
    if (mitigated !== undefined) this.#mark('mitigated', Math.max(startedAt, recorder.timeOf(mitigated + 1)));
  }

  /** The first second after the fault in which the baseline's own bounds broke: when users felt it. */
  #markImpact(injectedAt: number, until: number): void {
    const { recorder, sop, scopes } = this.#o;
    if (this.#milestones.impact !== undefined) return;
    const bounds = { ...sop.verification.baseline, hypotheses: sop.verification.baseline.hypotheses.filter((hypothesis) => typeof hypothesis === 'string') };
    if (bounds.hypotheses.length === 0) return;
    for (let second = recorder.secondAt(injectedAt); second <= recorder.secondAt(until); second += 1) {
      if (judgePhase(bounds, recorder, second, 1, scopes).some((verdict) => !verdict.pass && verdict.measured !== null)) {
        this.#mark('impact', Math.max(injectedAt, recorder.timeOf(second)));
        return;
      }
    }
  }

  /** The fault first, then the undos of the steps that ran, in reverse. Runs whatever stopped the rehearsal. */
  async rollback(): Promise<void> {
    if (this.#fault === undefined && this.#undos.length === 0) return;
    const injectedAt = this.#milestones.injected;
    if (injectedAt !== undefined) this.#markImpact(injectedAt, this.#milestones.mitigationStarted ?? this.#o.now());
    this.#phase('rollback', `${this.#fault === undefined ? '' : 'remove the fault, then '}${this.#undos.length} undo${this.#undos.length === 1 ? '' : 's'}`);
    if (this.#fault !== undefined) {
      this.#step('rollback', 'remove the fault');
      const outcome = await settled(this.#fault);
      if (outcome.ok && !this.#notInjected) this.#mark('faultRemoved', outcome.endedAt);
      if (this.#stepCheck('rollback', `remove ${describeTrigger(this.#o.sop)}`, outcome).result !== 'passed') this.#rollbackFailed = true;
    }
    for (const { name, undo } of [...this.#undos].reverse()) {
      this.#step('rollback', `undo: ${name}`);
      if (this.#stepCheck('rollback', `undo: ${name}`, await settled(undo)).result !== 'passed') this.#rollbackFailed = true;
    }
    this.#rolledBackAt = this.#o.now();
  }

  /** The recovered window, after a rollback that worked; skipped after Ctrl-C. */
  async recovered(interrupted: boolean): Promise<void> {
    const { sop, recorder } = this.#o;
    const names = hypothesisNames(sop.verification.recovered);
    if (this.#rolledBackAt === undefined || (this.#notInjected && this.#undos.length === 0)) return this.#skip('verification.recovered', names, 'nothing was injected or changed');
    if (this.#rollbackFailed) return this.#skip('verification.recovered', names, 'rollback failed');
    if (interrupted) return this.#skip('verification.recovered', names, 'interrupted');
    const window = await this.#window('recovered', this.#rolledBackAt, this.#o.interrupt);
    if (window === undefined) return this.#skip('verification.recovered', names, this.#o.interrupt.aborted ? 'interrupted' : 'the background load ended');
    this.#judge('recovered', 'verification.recovered', window);
    const from = this.#milestones.faultRemoved ?? this.#rolledBackAt;
    const recovered = firstSecondHolding(sop.verification.recovered, recorder, recorder.secondAt(from), window.fromSecond + window.seconds - 1, this.#o.scopes, this.#baseline);
    if (recovered !== undefined) this.#mark('recovered', Math.max(from, recorder.timeOf(recovered + 1)));
  }

  result(stop: Stop | undefined, durationMs: number, loadRps: number): RehearsalResult {
    const failed = this.checks.some((check) => check.result === 'failure' || check.result === 'error');
    const [status, exitCode]: [RehearsalResult['status'], number] = this.#rollbackFailed
      ? ['rollback-failed', 5]
      : stop?.kind === 'interrupted'
        ? ['interrupted', 130]
        : this.#unreachable
          ? ['unreachable', 3]
          : this.#notInjected
            ? ['not-injected', 3]
          : stop?.kind === 'abort'
            ? ['aborted', 4]
            : failed
              ? ['failed', 1]
              : ['passed', 0];
    // In the order they happened: some are only known later (impact, mitigated, recovered).
    const milestones = Object.fromEntries(Object.entries(this.#milestones).sort(([, a], [, b]) => a - b).map(([name, time]) => [name, this.#at(time)]));
    return {
      status,
      exitCode,
      ...(stop === undefined ? {} : { stop }),
      checks: this.checks,
      milestones,
      timings: rehearsalTimings(this.#milestones),
      windows: this.#windows,
      durationMs,
      loadRps: Math.round(loadRps * 100) / 100,
    };
  }
}

/** An action that throws (a bug, a broken sink) counts as failed: the rest of rollback still runs. */
async function settled(action: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
  const startedAt = performance.now();
  try {
    return await action();
  } catch (error) {
    return { ok: false, summary: `could not run: ${error instanceof Error ? error.message : String(error)}`, startedAt, endedAt: performance.now() };
  }
}
