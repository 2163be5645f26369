import { didYouMean } from './did-you-mean.js';
import type { Report } from './rule-report.js';
import type { Scenario } from './schema.js';
import { stepMethodsGiven } from './step-request.js';
import { stepPlaceholders, templateNamesIn } from './templates.js';

/** Every write names a declared store (or the only one); control requests are one plain request each. */
export function checkShadow(scenario: Partial<Scenario>, report: Report): void {
  const stores = Object.keys(scenario.shadow?.stores ?? {});
  const idKeys = Object.entries(scenario.keys ?? {})
    .filter(([, key]) => key.shadow_range !== undefined)
    .map(([name]) => name);
  for (const [journeyName, journey] of Object.entries(scenario.journeys ?? {})) {
    journey.steps.forEach((step, stepIndex) => {
      const stepPath = ['journeys', journeyName, 'steps', stepIndex];
      if (step.write === false && step.writes.length > 0) report([...stepPath, 'write'], 'write: false, yet the step declares writes: drop one');
      if (step.writes.length > 0) {
        const used = [...stepPlaceholders(step), ...templateNamesIn(step.writes.map((write) => write.redis))].map((placeholder) => placeholder.name);
        if (!used.includes('marker') && !idKeys.some((key) => used.includes(key))) {
          report([...stepPath, 'writes'], `nothing in this step is unique to a load test, so its writes cannot be found: template {{marker}} into what it writes${idKeys.length === 0 ? ', or draw an id from a shadow_range key' : `, or use a shadow_range key (${idKeys.join(', ')})`}`);
        }
      }
      step.writes.forEach((write, writeIndex) => {
        const path = ['journeys', journeyName, 'steps', stepIndex, 'writes', writeIndex];
        if (write.store !== undefined && !stores.includes(write.store)) {
          report([...path, 'store'], `"${write.store}" is not one of shadow.stores${stores.length === 0 ? ' (none are declared)' : didYouMean(write.store, stores)}`);
        }
        if (write.store === undefined && stores.length > 1) report(path, `several shadow.stores are declared (${stores.join(', ')}): say which holds this key with store:`);
      });
    });
  }
  const failClosed = scenario.shadow?.fail_closed;
  if (failClosed === undefined) return;
  for (const [name, request] of Object.entries(failClosed)) {
    if (request === undefined) continue;
    const path = ['shadow', 'fail_closed', name];
    const methods = stepMethodsGiven(request);
    if (methods.length !== 1) report(path, methods.length === 0 ? 'needs a method and path, e.g. PUT: /admin/shadow-routing' : `give one method, not ${methods.join(' and ')}`);
    for (const method of methods) {
      const target = request[method] ?? '';
      if (!target.startsWith('/') && !/^https?:\/\//.test(target)) report([...path, method], `expected a path starting with "/", got "${target}"`);
    }
    if (request.json !== undefined && request.body !== undefined) report([...path, 'body'], 'give json or body, not both');
    const placeholder = templateNamesIn(request)[0];
    if (placeholder !== undefined) report([...path, ...placeholder.path], `"{{${placeholder.name}}}": control requests take no {{…}} values (use \${env:NAME} for secrets)`);
  }
}
