import type { RuleIssue } from '../scenarios/rule-report.js';
import { didYouMean } from '../scenarios/did-you-mean.js';
import { stepMethodsGiven } from '../scenarios/step-request.js';
import { parseThresholdExpr } from '../scenarios/threshold-expr.js';
import { checkAlertDetection } from './alert-detection.js';
import { parseHypothesis } from './hypothesis.js';
import type { Sop } from './sop-schema.js';

type Report = (path: PropertyKey[], message: string) => void;

/** Toxiproxy's attributes per toxic type (the slicer's delay is in µs, as in Toxiproxy). */
const TOXIC_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  latency: ['latency', 'jitter'],
  bandwidth: ['rate'],
  slow_close: ['delay'],
  timeout: ['timeout'],
  reset_peer: ['timeout'],
  slicer: ['average_size', 'size_variation', 'delay'],
  limit_data: ['bytes'],
};

type HttpCall = NonNullable<Sop['trigger']['http']>;
type Action = { http?: HttpCall | undefined; redis?: Sop['mitigation'][number]['redis']; shell?: unknown; wait_until?: { http: HttpCall } | undefined; manual?: unknown };

function exactlyOne(path: PropertyKey[], given: Record<string, unknown>, names: readonly string[], report: Report): string | undefined {
  const present = names.filter((key) => given[key] !== undefined);
  if (present.length !== 1) report(path, present.length === 0 ? `needs one of ${names.join(', ')}` : `give one of ${names.join(', ')}, not ${present.join(' and ')}`);
  return present.length === 1 ? present[0] : undefined;
}

function checkHttp(path: PropertyKey[], call: HttpCall, report: Report): void {
  const methods = stepMethodsGiven(call);
  if (methods.length !== 1) report(path, methods.length === 0 ? 'needs a method and path, e.g. PUT: /admin/flags/room-info-local-cache' : `give one method, not ${methods.join(' and ')}`);
  for (const method of methods) {
    const target = call[method] ?? '';
    if (!target.startsWith('/') && !/^https?:\/\//.test(target)) report([...path, method], `expected a path starting with "/" or an http(s) URL, got "${target}"`);
  }
  if (call.json !== undefined && call.body !== undefined) report([...path, 'body'], 'give json or body, not both');
}

function checkAction(path: PropertyKey[], action: Action, report: Report): string | undefined {
  const kind = exactlyOne(path, action, ['http', 'redis', 'shell', 'wait_until', 'manual'], report);
  if (action.http !== undefined) checkHttp([...path, 'http'], action.http, report);
  if (action.wait_until !== undefined) checkHttp([...path, 'wait_until', 'http'], action.wait_until.http, report);
  if (action.redis !== undefined) exactlyOne([...path, 'redis'], action.redis, ['set', 'del', 'hset'], report);
  return kind;
}

function checkTrigger(trigger: Sop['trigger'], report: Report): void {
  const kind = exactlyOne(['trigger'], trigger, ['toxic', 'demo_fault', 'http', 'shell'], report);
  if (trigger.http !== undefined) checkHttp(['trigger', 'http'], trigger.http, report);
  if ((kind === 'http' || kind === 'shell') && trigger.remove === undefined) report(['trigger'], `an ${kind} fault needs \`remove\`: how rollback takes it away`);
  if ((kind === 'toxic' || kind === 'demo_fault') && trigger.remove !== undefined) report(['trigger', 'remove'], `a ${kind} is removed by live-assure itself: drop \`remove\``);
  if (trigger.remove !== undefined) checkAction(['trigger', 'remove'], trigger.remove, report);
  const toxic = trigger.toxic;
  if (toxic === undefined) return;
  const known = TOXIC_ATTRIBUTES[toxic.type] ?? [];
  for (const attribute of Object.keys(toxic.attributes)) {
    if (!known.includes(attribute)) report(['trigger', 'toxic', 'attributes', attribute], `a ${toxic.type} toxic has no attribute "${attribute}"${didYouMean(attribute, known)}; it takes ${known.join(', ')}`);
  }
  if (toxic.stream === 'both' && toxic.type !== 'latency') report(['trigger', 'toxic', 'stream'], '`both` is for latency toxics only: give upstream or downstream');
}

function checkVerification(verification: Sop['verification'], report: Report): void {
  for (const phaseName of ['baseline', 'degraded', 'recovered'] as const) {
    verification[phaseName].hypotheses.forEach((hypothesis, index) => {
      const path = ['verification', phaseName, 'hypotheses', index];
      if (typeof hypothesis !== 'string') {
        if (hypothesis.header === undefined && hypothesis.contains === undefined) report(path, 'say what the responses must show: header or contains');
        return;
      }
      const parsed = parseHypothesis(hypothesis);
      if ('error' in parsed) report(path, parsed.error);
      else if (parsed.kind === 'relative' && phaseName === 'baseline') report(path, 'the baseline cannot be measured against itself: give an absolute bound');
    });
  }
}

const written = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** Bounds that cannot be met, and a maximum duration shorter than the rehearsal it bounds. */
function checkTimes(sop: Sop, report: Report): void {
  if (sop.load.scale === 0) report(['load', 'scale'], 'a scale of 0 sends no load: nothing could be measured');
  if (sop.load.rate === 0) report(['load', 'rate'], 'a rate of 0 sends no load: nothing could be measured');
  if (sop.detection.within <= 0) report(['detection', 'within'], 'detection needs time: give a bound above 0, e.g. 30s');
  const phases = ['baseline', 'degraded', 'recovered'] as const;
  for (const name of phases) {
    if (sop.verification[name].window < 1000) report(['verification', name, 'window'], 'a window is whole seconds of load: give at least 1s');
  }
  const least = phases.reduce((sum, name) => sum + sop.verification[name].settle + sop.verification[name].window, 0) + sop.detection.within;
  if (sop.abort.max_duration < least) {
    report(['abort', 'max_duration'], `the phases' settle and windows plus detection's bound take ${written(least)}: a max_duration of ${written(sop.abort.max_duration)} would always abort`);
  }
}

/** What the SOP schema cannot say: one action per step, a way to remove the fault, hypotheses that parse. */
export function checkSopRules(sop: Sop): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const report: Report = (path, message) => issues.push({ path, message });
  const load = exactlyOne(['load'], sop.load, ['scenario', 'url'], report);
  if (load === 'url' && sop.load.rate === undefined) report(['load'], 'an ad hoc url needs a rate, e.g. rate: 50/s');
  if (load === 'scenario' && sop.load.rate !== undefined) report(['load', 'rate'], 'a scenario sets its own rates: give scale instead');
  if (load === 'url' && sop.load.scale !== undefined) report(['load', 'scale'], 'scale is for a scenario: give rate for a url');
  checkTrigger(sop.trigger, report);
  const detection = exactlyOne(['detection'], sop.detection, ['probe', 'metric', 'alert'], report);
  if (sop.detection.alert !== undefined) for (const issue of checkAlertDetection(sop, sop.detection.alert)) report(issue.path, issue.message);
  if (sop.detection.probe !== undefined) checkHttp(['detection', 'probe', 'http'], sop.detection.probe.http, report);
  if (detection === 'metric' && sop.detection.metric !== undefined) {
    const expr = parseThresholdExpr(sop.detection.metric);
    if ('error' in expr) report(['detection', 'metric'], expr.error);
    else if (expr.forMs !== undefined) report(['detection', 'metric'], 'detection is judged second by second: drop "for" (abort conditions take it)');
  }
  sop.mitigation.forEach((step, index) => {
    const path = ['mitigation', index];
    const kind = checkAction(path, step, report);
    const undo = step.undo;
    if (undo === 'restore-previous') {
      if (kind !== 'redis') report([...path, 'undo'], 'restore-previous puts back what a redis step changed: use an undo action for other steps');
    } else if (undo !== undefined) checkAction([...path, 'undo'], undo, report);
  });
  checkVerification(sop.verification, report);
  checkTimes(sop, report);
  sop.abort.when.forEach((text, index) => {
    const expr = parseThresholdExpr(text);
    if ('error' in expr) report(['abort', 'when', index], expr.error);
  });
  return issues;
}
