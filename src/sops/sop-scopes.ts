import { dirname, resolve } from 'node:path';
import type { RuleIssue } from '../scenarios/rule-report.js';
import { didYouMean } from '../scenarios/did-you-mean.js';
import { loadScenarioFile } from '../scenarios/load-scenario.js';
import { parseThresholdExpr } from '../scenarios/threshold-expr.js';
import { parseHypothesis } from './hypothesis.js';
import type { Sop } from './sop-schema.js';

/** The endpoint name of an ad hoc `load.url`, as hypotheses scope it (`load.p99<200ms`). */
export const AD_HOC_ENDPOINT = 'load';

/** What the SOP's load can be measured by: its steps and journeys. */
export interface LoadNames {
  steps: string[];
  journeys: string[];
}

/** The steps and journeys of the SOP's load: its scenario's (read here), or the one ad hoc endpoint. */
export async function loadNames(sop: Sop, file: string, context: { cwd: string; env: Readonly<Record<string, string | undefined>> }): Promise<LoadNames> {
  if (sop.load.scenario === undefined) return { steps: [AD_HOC_ENDPOINT], journeys: [] };
  const scenario = await loadScenarioFile(resolve(dirname(resolve(context.cwd, file)), sop.load.scenario), context);
  const steps = [...new Set(Object.values(scenario.journeys).flatMap((journey) => journey.steps.map((step) => step.name)))];
  return { steps, journeys: Object.keys(scenario.journeys) };
}

function scopeOf(text: string, hypothesis: boolean): string | undefined {
  if (hypothesis) {
    const parsed = parseHypothesis(text);
    return 'error' in parsed ? undefined : parsed.kind === 'absolute' ? parsed.expr.scope : parsed.scope;
  }
  const parsed = parseThresholdExpr(text);
  return 'error' in parsed ? undefined : parsed.scope;
}

/** Every step or journey an SOP names must be one of its load's: a typo would only show as "nothing measured" after a whole rehearsal. */
export function checkSopScopes(sop: Sop, names: LoadNames): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const known = [...names.steps, ...names.journeys];
  const check = (path: PropertyKey[], name: string | undefined, among: readonly string[], what: string): void => {
    if (name !== undefined && !among.includes(name)) issues.push({ path, message: `"${name}" is not ${what} of the SOP's load${didYouMean(name, among)}; it has ${among.join(', ')}` });
  };
  for (const phase of ['baseline', 'degraded', 'recovered'] as const) {
    sop.verification[phase].hypotheses.forEach((hypothesis, index) => {
      const path = ['verification', phase, 'hypotheses', index];
      if (typeof hypothesis === 'string') check(path, scopeOf(hypothesis, true), known, 'a step or journey');
      else check([...path, 'of'], hypothesis.of, names.steps, 'a step');
    });
  }
  if (sop.detection.metric !== undefined) check(['detection', 'metric'], scopeOf(sop.detection.metric, false), known, 'a step or journey');
  sop.abort.when.forEach((text, index) => check(['abort', 'when', index], scopeOf(text, false), known, 'a step or journey'));
  if (sop.load.scenario !== undefined) sop.links.journeys.forEach((journey, index) => check(['links', 'journeys', index], journey, names.journeys, 'a journey'));
  return issues;
}
