import { didYouMean } from './did-you-mean.js';
import { article, type Report } from './rule-report.js';
import type { Call, Scenario } from './schema.js';
import type { DeclaredNames } from './sound-sections.js';

function checkCalls(calls: readonly Call[], path: PropertyKey[], services: readonly string[], report: Report): void {
  calls.forEach((call, index) => {
    if (!services.includes(call.to)) report([...path, index, 'to'], `unknown service "${call.to}"${didYouMean(call.to, services)}`);
  });
}

function checkServiceFields(name: string, service: Scenario['services'][string], keys: readonly string[], report: Report): void {
  const path = ['services', name];
  const sharded = service.kind !== 'http';
  const [capacityField, countField, wrongCapacity, wrongCount] = sharded
    ? (['per_node_qps', 'nodes', 'per_instance_qps', 'instances'] as const)
    : (['per_instance_qps', 'instances', 'per_node_qps', 'nodes'] as const);
  const kind = `${article(service.kind)} ${service.kind} service`;
  if (service[capacityField] === undefined) report(path, `${kind} needs ${capacityField}`);
  if (service[countField] === undefined) report(path, `${kind} needs ${countField}`);
  if (service[wrongCapacity] !== undefined) report([...path, wrongCapacity], `${kind} takes ${capacityField}, not ${wrongCapacity}`, 'key');
  if (service[wrongCount] !== undefined) report([...path, wrongCount], `${kind} takes ${countField}, not ${wrongCount}`, 'key');
  if (sharded && service.elastic > 0) report([...path, 'elastic'], `${article(service.kind)} ${service.kind} cluster cannot grow on the night: elastic is for http services`);
  if (service.keyed_by !== undefined && !keys.includes(service.keyed_by)) {
    report([...path, 'keyed_by'], `unknown key "${service.keyed_by}"${didYouMean(service.keyed_by, keys)}`);
  }
}

function checkCycles(services: Scenario['services'], report: Report): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    state.set(name, 'visiting');
    (services[name]?.calls ?? []).forEach((call, index) => {
      if (state.get(call.to) === 'visiting') {
        report(['services', name, 'calls', index, 'to'], `call cycle: ${[...trail, name, call.to].join(' → ')}`);
      } else if (state.get(call.to) === undefined && services[call.to] !== undefined) {
        visit(call.to, [...trail, name]);
      }
    });
    state.set(name, 'done');
  };
  for (const name of Object.keys(services)) if (state.get(name) === undefined) visit(name, []);
}

/**
 * Every step must say what it costs downstream once the scenario sizes services: a step missing
 * from `endpoints` would silently drop its load from the forecast.
 */
function checkEveryStepMapped(journeys: Scenario['journeys'], endpoints: ReadonlySet<string>, report: Report): void {
  const reported = new Set<string>();
  for (const [journey, { steps }] of Object.entries(journeys)) {
    steps.forEach((step, index) => {
      if (endpoints.has(step.name) || reported.has(step.name)) return;
      reported.add(step.name);
      report(
        ['journeys', journey, 'steps', index, 'name'],
        `step "${step.name}" has no entry in \`endpoints\`, so its load would be missing from the forecast (write "${step.name}: { calls: [] }" if it costs nothing downstream)`,
      );
    });
  }
}

/** The call graph: endpoints name real steps and services, services are complete, calls form no cycle. */
export function checkCallGraph(scenario: Partial<Scenario>, declared: DeclaredNames, report: Report): void {
  const { journeys, endpoints, services } = scenario;
  if (services === undefined) return;
  const serviceNames = declared.services;
  const keys = declared.keys;
  for (const [name, service] of Object.entries(services)) {
    checkServiceFields(name, service, keys, report);
    checkCalls(service.calls, ['services', name, 'calls'], serviceNames, report);
  }
  checkCycles(services, report);
  if (endpoints === undefined) return;
  const stepNames = new Set(declared.steps);
  for (const [name, endpoint] of Object.entries(endpoints)) {
    if (journeys !== undefined && !stepNames.has(name)) {
      report(['endpoints', name], `no journey has a step named "${name}"${didYouMean(name, stepNames)}`, 'key');
    }
    checkCalls(endpoint.calls, ['endpoints', name, 'calls'], serviceNames, report);
  }
  if (journeys !== undefined && serviceNames.length > 0) checkEveryStepMapped(journeys, new Set(declared.endpoints), report);
}
