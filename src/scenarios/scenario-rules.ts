import { checkCallGraph } from './call-graph-rules.js';
import { didYouMean } from './did-you-mean.js';
import { checkJourneys } from './journey-rules.js';
import { checkShadow } from './shadow-rules.js';
import type { Report, RuleIssue } from './rule-report.js';
import type { KeyDistribution, LoadProfile, Scenario } from './schema.js';
import type { DeclaredNames } from './sound-sections.js';
import { parseThresholdExpr } from './threshold-expr.js';

function checkCurve(audience: Scenario['audience'], report: Report): void {
  const curve = audience.curve;
  if (curve[0] !== undefined && curve[0].at !== 0) report(['audience', 'curve', 0, 'at'], 'the curve must start at 0m');
  curve.forEach((point, index) => {
    const before = curve[index - 1];
    if (before !== undefined && point.at <= before.at) {
      report(['audience', 'curve', index, 'at'], 'times must increase from one point to the next');
    }
  });
}

function checkKey(name: string, key: KeyDistribution, report: Report): void {
  const path = ['keys', name];
  const bases = (['zipf', 'uniform', 'values', 'sequence', 'csv'] as const).filter((base) => key[base] !== undefined);
  if (bases.length > 1) report(path, `choose one of zipf, uniform, values, sequence or csv, not ${bases.join(' and ')}`);
  const hotShare = (key.hot ?? []).reduce((sum, hot) => sum + hot.share, 0);
  if (hotShare > 1 + 1e-9) report([...path, 'hot'], `hot shares add up to ${round(hotShare)}, more than 1`);
  if (bases.length === 0 && key.shadow_range === undefined && Math.abs(hotShare - 1) > 1e-9) {
    report(path, 'needs zipf, uniform, values, sequence, csv or shadow_range to draw the values that are not hot');
  }
  if (key.uniform !== undefined && key.uniform.min > key.uniform.max) report([...path, 'uniform'], 'min is above max');
  if (key.shadow_range !== undefined && key.shadow_range[0] > key.shadow_range[1]) {
    report([...path, 'shadow_range'], 'the range\'s start is above its end');
  }
}

function checkLoad(load: LoadProfile, declared: DeclaredNames | undefined, report: Report): void {
  load.stages.forEach((stage, index) => {
    const path = ['load', 'stages', index];
    const kinds = (['ramp', 'hold', 'step', 'spike'] as const).filter((kind) => stage[kind] !== undefined);
    if (kinds.length !== 1) {
      report(path, kinds.length === 0 ? 'needs one of ramp, hold, step or spike' : `give one of ${kinds.join(' and ')}, not several`);
    } else if (kinds[0] === 'hold' && stage.to !== undefined) {
      report([...path, 'to'], 'a hold keeps the current level: use step to change it', 'key');
    } else if (kinds[0] !== 'hold' && stage.to === undefined) {
      report(path, `a ${kinds[0] ?? 'stage'} needs "to" (the level, 1 = the scaled peak)`);
    }
  });
  const scopes = declared === undefined ? undefined : [...declared.journeys, ...declared.steps];
  for (const field of ['thresholds', 'abort'] as const) {
    load[field].forEach((text, index) => {
      const parsed = parseThresholdExpr(text);
      if ('error' in parsed) report(['load', field, index], parsed.error);
      else if (parsed.scope !== undefined && scopes !== undefined && !scopes.includes(parsed.scope)) {
        report(['load', field, index], `"${parsed.scope}" is neither a journey nor a step${didYouMean(parsed.scope, scopes)}`);
      }
    });
  }
}

/**
 * Cross-field rules the schema alone cannot express: references, orderings, exclusive choices. Takes
 * the sections that parsed, so a scenario with schema errors still gets every rule its sound parts allow.
 */
export function checkScenarioRules(scenario: Partial<Scenario>, declared: DeclaredNames): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const report: Report = (path, message, at) => issues.push({ path, message, ...(at === undefined ? {} : { at }) });
  if (scenario.audience !== undefined) checkCurve(scenario.audience, report);
  for (const [name, key] of Object.entries(scenario.keys ?? {})) checkKey(name, key, report);
  checkJourneys(scenario, declared, report);
  checkCallGraph(scenario, declared, report);
  checkShadow(scenario, report);
  if (scenario.load !== undefined) checkLoad(scenario.load, scenario.journeys === undefined ? undefined : declared, report);
  return issues;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
