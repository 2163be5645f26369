import { InvalidInputError, type LocatedIssue } from '../errors.js';
import { readInputFile } from './read-input-file.js';
import { checkScenarioRules } from './scenario-rules.js';
import { declaredNames, soundSections } from './sound-sections.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { parseYamlSource } from './yaml-source.js';
import { locateZodIssues } from './zod-issues.js';

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; issues: LocatedIssue[] };

function byPosition(a: LocatedIssue, b: LocatedIssue): number {
  return a.line - b.line || a.col - b.col;
}

/** Parses and checks scenario text; every problem is returned at once, located in `file`. */
export function parseScenario(text: string, file: string, env: Readonly<Record<string, string | undefined>>): ScenarioResult {
  const source = parseYamlSource(text, file, env);
  if (source.issues.length > 0) return { ok: false, issues: source.issues.sort(byPosition) };
  if (source.data === undefined || source.data === null) {
    return { ok: false, issues: [{ file, line: 1, col: 1, path: '', message: 'the file is empty: expected a scenario' }] };
  }
  const parsed = scenarioSchema.safeParse(source.data, { reportInput: true });
  const schemaIssues = parsed.success ? [] : locateZodIssues(parsed.error.issues, source, scenarioSchema);
  const sections = parsed.success ? parsed.data : soundSections(source.data);
  const ruleIssues = checkScenarioRules(sections, declaredNames(source.data)).map((rule) => source.issueAt(rule.path, rule.message, rule.at));
  const issues = [...schemaIssues, ...ruleIssues];
  if (!parsed.success || issues.length > 0) return { ok: false, issues: issues.sort(byPosition) };
  return { ok: true, scenario: parsed.data };
}

/** Reads a scenario file (relative to `cwd`), or throws `InvalidInputError` with every located problem. */
export async function loadScenarioFile(
  path: string,
  context: { cwd: string; env: Readonly<Record<string, string | undefined>> },
): Promise<Scenario> {
  const text = await readInputFile(path, context.cwd, 'the scenario');
  const result = parseScenario(text, path, context.env);
  if (!result.ok) throw new InvalidInputError(result.issues, '`live-assure validate <file>` checks a scenario without running anything; fields are described in scenarios/scenario.schema.json');
  return result.scenario;
}
