import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidInputError, type LocatedIssue } from '../errors.js';
import { checkScenarioRules } from './scenario-rules.js';
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
  if (!parsed.success) {
    return { ok: false, issues: locateZodIssues(parsed.error.issues, source, scenarioSchema).sort(byPosition) };
  }
  const ruleIssues = checkScenarioRules(parsed.data).map((rule) => source.issueAt(rule.path, rule.message, rule.at));
  if (ruleIssues.length > 0) return { ok: false, issues: ruleIssues.sort(byPosition) };
  return { ok: true, scenario: parsed.data };
}

/** Reads a scenario file (relative to `cwd`), or throws `InvalidInputError` with every located problem. */
export async function loadScenarioFile(
  path: string,
  context: { cwd: string; env: Readonly<Record<string, string | undefined>> },
): Promise<Scenario> {
  const absolute = resolve(context.cwd, path);
  // Errors name the file as the user typed it, so the location can be pasted straight back.
  const shown = path;
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : error instanceof Error ? error.message : String(error);
    throw new InvalidInputError([{ file: shown, line: 1, col: 1, path: '', message: `cannot read the scenario: ${reason}` }]);
  }
  const result = parseScenario(text, shown, context.env);
  if (!result.ok) throw new InvalidInputError(result.issues, '`live-assure validate <file>` checks a scenario without running anything; fields are described in scenarios/scenario.schema.json');
  return result.scenario;
}
