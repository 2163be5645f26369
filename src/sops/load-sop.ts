import { InvalidInputError, UsageError, type LocatedIssue } from '../errors.js';
import { readInputFile } from '../scenarios/read-input-file.js';
import { parseYamlSource } from '../scenarios/yaml-source.js';
import { locateZodIssues } from '../scenarios/zod-issues.js';
import { checkSopRules } from './sop-rules.js';
import { checkSopScopes, loadNames, type LoadNames } from './sop-scopes.js';
import { sopSchema, type Sop } from './sop-schema.js';

export type SopResult = { ok: true; sop: Sop } | { ok: false; issues: LocatedIssue[] };

/**
 * Parses and checks SOP text; every problem is returned at once, located in `file`. With the
 * names of its load's steps and journeys, every name the SOP uses is checked against them too.
 */
function parseSop(text: string, file: string, env: Readonly<Record<string, string | undefined>>, names?: LoadNames): SopResult {
  const source = parseYamlSource(text, file, env);
  if (source.issues.length > 0) return { ok: false, issues: source.issues };
  if (source.data === undefined || source.data === null) return { ok: false, issues: [{ file, line: 1, col: 1, path: '', message: 'the file is empty: expected an SOP' }] };
  const parsed = sopSchema.safeParse(source.data, { reportInput: true });
  if (!parsed.success) return { ok: false, issues: locateZodIssues(parsed.error.issues, source, sopSchema) };
  const rules = [...checkSopRules(parsed.data), ...(names === undefined ? [] : checkSopScopes(parsed.data, names))];
  const issues = rules.map((rule) => source.issueAt(rule.path, rule.message, rule.at));
  if (issues.length > 0) return { ok: false, issues: issues.sort((a, b) => a.line - b.line || a.col - b.col) };
  return { ok: true, sop: parsed.data };
}

/** An SOP file has mitigation steps at its top level; a scenario never does. */
export function looksLikeSop(text: string): boolean {
  return /^mitigation\s*:/m.test(text);
}

export interface LoadedSop {
  file: string;
  /** The file's text as read: its hash names the SOP version in journals and JUnit. */
  text: string;
  sop: Sop;
}

/** Reads an SOP file (relative to `cwd`), or throws `InvalidInputError` with every located problem. */
async function loadSopFile(path: string, context: { cwd: string; env: Readonly<Record<string, string | undefined>> }): Promise<LoadedSop> {
  const text = await readInputFile(path, context.cwd, 'the SOP');
  const result = await checkSopText(text, path, context);
  if (!result.ok) throw new InvalidInputError(result.issues, '`live-assure validate <file>` checks an SOP without running anything; fields are described in sops/sop.schema.json');
  return { file: path, text, sop: result.sop };
}

/** The whole check of an SOP file, its load's scenario read for the names it may use (what `validate` and `rehearse` run). */
export async function checkSopText(text: string, file: string, context: { cwd: string; env: Readonly<Record<string, string | undefined>> }): Promise<SopResult> {
  const first = parseSop(text, file, context.env);
  if (!first.ok) return first;
  return parseSop(text, file, context.env, await loadNames(first.sop, file, context));
}

/** Reads several SOP files; every problem of every file is reported at once, and two SOPs may not share an id. */
export async function loadSopFiles(files: readonly string[], context: { cwd: string; env: Readonly<Record<string, string | undefined>> }): Promise<LoadedSop[]> {
  const issues: LocatedIssue[] = [];
  const loaded: LoadedSop[] = [];
  for (const file of files) {
    try {
      loaded.push(await loadSopFile(file, context));
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new InvalidInputError(issues, '`live-assure validate <file>` checks an SOP without running anything; fields are described in sops/sop.schema.json');
  const ids = loaded.map((entry) => entry.sop.id);
  const twice = ids.find((id, index) => ids.indexOf(id) !== index);
  if (twice !== undefined) throw new UsageError(`two SOPs have the id "${twice}": run directories, JUnit suites and alert links name SOPs by it`);
  return loaded;
}
