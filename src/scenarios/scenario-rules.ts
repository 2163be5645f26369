import { didYouMean } from './did-you-mean.js';
import type { Call, KeyDistribution, LoadProfile, Scenario } from './schema.js';
import { stepMethodsGiven } from './step-request.js';
import { TEMPLATE_BUILTINS, templateNames, templateNamesIn } from './templates.js';
import { parseThresholdExpr } from './threshold-expr.js';
import { formatDuration } from './units.js';

/** A rule broken by a scenario that parsed: where (a path in the file) and what. */
export interface RuleIssue {
  path: PropertyKey[];
  message: string;
  at?: 'key' | 'value';
}

type Report = (path: PropertyKey[], message: string, at?: 'key' | 'value') => void;

function checkCurve(scenario: Scenario, report: Report): void {
  const curve = scenario.audience.curve;
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
  const bases = (['zipf', 'uniform', 'values'] as const).filter((base) => key[base] !== undefined);
  if (bases.length > 1) report(path, `choose one of zipf, uniform or values, not ${bases.join(' and ')}`);
  const hotShare = (key.hot ?? []).reduce((sum, hot) => sum + hot.share, 0);
  if (hotShare > 1 + 1e-9) report([...path, 'hot'], `hot shares add up to ${round(hotShare)}, more than 1`);
  if (bases.length === 0 && key.shadow_range === undefined && Math.abs(hotShare - 1) > 1e-9) {
    report(path, 'needs zipf, uniform, values or shadow_range to draw the values that are not hot');
  }
  if (key.uniform !== undefined && key.uniform.min > key.uniform.max) report([...path, 'uniform'], 'min is above max');
  if (key.shadow_range !== undefined && key.shadow_range[0] > key.shadow_range[1]) {
    report([...path, 'shadow_range'], 'the range\'s start is above its end');
  }
}

function checkJourneys(scenario: Scenario, report: Report): void {
  const end = scenario.audience.curve.at(-1)?.at ?? 0;
  const known = [...Object.keys(scenario.keys), ...TEMPLATE_BUILTINS];
  for (const [name, journey] of Object.entries(scenario.journeys)) {
    const path = ['journeys', name];
    const rates = (journey.per_viewer === undefined ? 0 : 1) + (journey.rate === undefined ? 0 : 1);
    if (rates !== 1) report(path, 'give exactly one of per_viewer (e.g. 0.6/min) or rate (e.g. 200/s)');
    journey.surges.forEach((surge, index) => {
      if (surge.at > end) report([...path, 'surges', index, 'at'], `starts after the audience curve ends (${formatDuration(end)})`);
    });
    const seen = new Set<string>();
    journey.steps.forEach((step, index) => {
      const stepPath = [...path, 'steps', index];
      if (seen.has(step.name)) report([...stepPath, 'name'], `another step of this journey is already named "${step.name}"`);
      seen.add(step.name);
      const methods = stepMethodsGiven(step);
      if (methods.length !== 1) {
        report(stepPath, methods.length === 0 ? 'needs a method and path, e.g. GET: /room/info' : `give one method, not ${methods.join(' and ')}`);
      }
      for (const method of methods) {
        const target = step[method] ?? '';
        if (!target.startsWith('/') && !/^https?:\/\//.test(target)) {
          report([...stepPath, method], `expected a path starting with "/", got "${target}"`);
        }
      }
      if (step.json !== undefined && step.body !== undefined) report([...stepPath, 'body'], 'give json or body, not both');
      const placeholders = [
        ...methods.flatMap((method) => templateNames(step[method] ?? '').map((ref) => ({ ref, path: [...stepPath, method] }))),
        ...templateNamesIn(step.headers).map(({ name: ref, path: inner }) => ({ ref, path: [...stepPath, 'headers', ...inner] })),
        ...templateNamesIn(step.json).map(({ name: ref, path: inner }) => ({ ref, path: [...stepPath, 'json', ...inner] })),
        ...templateNames(step.body ?? '').map((ref) => ({ ref, path: [...stepPath, 'body'] })),
      ];
      for (const { ref, path: where } of placeholders) {
        if (!known.includes(ref)) report(where, `"{{${ref}}}" is not a key of \`keys\` nor a built-in (${TEMPLATE_BUILTINS.join(', ')})${didYouMean(ref, known)}`);
      }
    });
  }
}

function checkCalls(calls: readonly Call[], path: PropertyKey[], services: string[], report: Report): void {
  calls.forEach((call, index) => {
    if (!services.includes(call.to)) {
      report([...path, index, 'to'], `unknown service "${call.to}"${didYouMean(call.to, services)}`);
    }
  });
}

function checkServices(scenario: Scenario, report: Report): void {
  const services = Object.keys(scenario.services);
  const keys = Object.keys(scenario.keys);
  for (const [name, service] of Object.entries(scenario.services)) {
    const path = ['services', name];
    const sharded = service.kind !== 'http';
    const [capacityField, countField, wrongCapacity, wrongCount] = sharded
      ? (['per_node_qps', 'nodes', 'per_instance_qps', 'instances'] as const)
      : (['per_instance_qps', 'instances', 'per_node_qps', 'nodes'] as const);
    if (service[capacityField] === undefined) report(path, `${article(service.kind)} ${service.kind} service needs ${capacityField}`);
    if (service[countField] === undefined) report(path, `${article(service.kind)} ${service.kind} service needs ${countField}`);
    if (service[wrongCapacity] !== undefined) report([...path, wrongCapacity], `${article(service.kind)} ${service.kind} service takes ${capacityField}, not ${wrongCapacity}`, 'key');
    if (service[wrongCount] !== undefined) report([...path, wrongCount], `${article(service.kind)} ${service.kind} service takes ${countField}, not ${wrongCount}`, 'key');
    if (sharded && service.elastic > 0) report([...path, 'elastic'], `a ${service.kind} cluster cannot grow on the night: elastic is for http services`);
    if (service.keyed_by !== undefined && !keys.includes(service.keyed_by)) {
      report([...path, 'keyed_by'], `unknown key "${service.keyed_by}"${didYouMean(service.keyed_by, keys)}`);
    }
    checkCalls(service.calls, [...path, 'calls'], services, report);
  }
  checkCycles(scenario, report);
}

function checkCycles(scenario: Scenario, report: Report): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    state.set(name, 'visiting');
    (scenario.services[name]?.calls ?? []).forEach((call, index) => {
      if (state.get(call.to) === 'visiting') {
        report(['services', name, 'calls', index, 'to'], `call cycle: ${[...trail, name, call.to].join(' → ')}`);
      } else if (state.get(call.to) === undefined && scenario.services[call.to] !== undefined) {
        visit(call.to, [...trail, name]);
      }
    });
    state.set(name, 'done');
  };
  for (const name of Object.keys(scenario.services)) if (state.get(name) === undefined) visit(name, []);
}

function checkEndpoints(scenario: Scenario, report: Report): void {
  const stepNames = new Set(Object.values(scenario.journeys).flatMap((journey) => journey.steps.map((step) => step.name)));
  const services = Object.keys(scenario.services);
  for (const [name, endpoint] of Object.entries(scenario.endpoints)) {
    if (!stepNames.has(name)) report(['endpoints', name], `no journey has a step named "${name}"${didYouMean(name, stepNames)}`, 'key');
    checkCalls(endpoint.calls, ['endpoints', name, 'calls'], services, report);
  }
}

function checkLoad(load: LoadProfile, scenario: Scenario, report: Report): void {
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
  const scopes = [
    ...Object.keys(scenario.journeys),
    ...Object.values(scenario.journeys).flatMap((journey) => journey.steps.map((step) => step.name)),
  ];
  for (const field of ['thresholds', 'abort'] as const) {
    load[field].forEach((text, index) => {
      const parsed = parseThresholdExpr(text);
      if ('error' in parsed) report(['load', field, index], parsed.error);
      else if (parsed.scope !== undefined && !scopes.includes(parsed.scope)) {
        report(['load', field, index], `"${parsed.scope}" is neither a journey nor a step${didYouMean(parsed.scope, scopes)}`);
      }
    });
  }
}

/** Cross-field rules the schema alone cannot express: references, orderings, exclusive choices. */
export function checkScenarioRules(scenario: Scenario): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const report: Report = (path, message, at) => issues.push({ path, message, ...(at === undefined ? {} : { at }) });
  checkCurve(scenario, report);
  for (const [name, key] of Object.entries(scenario.keys)) checkKey(name, key, report);
  checkJourneys(scenario, report);
  checkEndpoints(scenario, report);
  checkServices(scenario, report);
  if (scenario.load !== undefined) checkLoad(scenario.load, scenario, report);
  return issues;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function article(word: string): string {
  return word === 'http' ? 'an' : 'a';
}
