import { readFileSync } from 'node:fs';
import { parseScenario } from '../../src/scenarios/load-scenario.js';
import type { Scenario } from '../../src/scenarios/schema.js';

/** Parses scenario YAML text (or a file under the repo) and fails the test with the located issues if it is invalid. */
export function scenarioFrom(text: string, file = 'inline.yaml'): Scenario {
  const result = parseScenario(text, file, {});
  if (!result.ok) throw new Error(result.issues.map((issue) => `${issue.line}:${issue.col} ${issue.path}: ${issue.message}`).join('\n'));
  return result.scenario;
}

export function scenarioFile(path: string): Scenario {
  return scenarioFrom(readFileSync(path, 'utf8'), path);
}
