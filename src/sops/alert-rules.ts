import { z } from 'zod';
import { InvalidInputError, type LocatedIssue } from '../errors.js';
import { didYouMean } from '../scenarios/did-you-mean.js';
import { readInputFile } from '../scenarios/read-input-file.js';
import { parseYamlSource, type YamlSource } from '../scenarios/yaml-source.js';
import { locateZodIssues } from '../scenarios/zod-issues.js';

/**
 * Prometheus rule files, as Prometheus itself reads them (`rulefmt`): `groups: [{name, interval,
 * query_offset, limit, labels, rules: [{alert | record, expr, for, keep_firing_for, labels,
 * annotations}]}]`, or the same groups under `spec` of a prometheus-operator `PrometheusRule`.
 * Prometheus refuses unknown keys in rule files, so these schemas are strict too: a typo here is a
 * typo there. Scalars are taken as text the way Go's YAML decoder does (`severity: 1` is "1").
 */

/** `5m`, `1h30m`, `1d`, `0`: Prometheus's duration syntax (y w d h m s ms, largest first). */
const PROMETHEUS_DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;

const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const duration = z
  .string()
  .refine((value) => value === '0' || (value !== '' && PROMETHEUS_DURATION.test(value)), 'expected a Prometheus duration like "5m" or "1h30m"');
const labelMap = z
  .record(z.string(), text)
  .nullish()
  .transform((value) => value ?? {});

const ruleSchema = z.strictObject({
  alert: z.string().min(1, 'an alert needs a name').optional(),
  record: z.string().min(1, 'a recording rule needs a metric name').optional(),
  expr: text.refine((value) => value.trim() !== '', 'the rule needs an expression'),
  for: duration.optional(),
  keep_firing_for: duration.optional(),
  labels: labelMap,
  annotations: labelMap,
});

const groupSchema = z.strictObject({
  name: z.string().min(1, 'a group needs a name'),
  interval: duration.optional(),
  query_offset: duration.optional(),
  limit: z.number().int().nonnegative().optional(),
  labels: labelMap,
  rules: z
    .array(ruleSchema)
    .nullish()
    .transform((value) => value ?? []),
});

const groups = z
  .array(groupSchema)
  .nullish()
  .transform((value) => value ?? []);
const plainFile = z.strictObject({ groups });
const operatorFile = z.object({ kind: z.literal('PrometheusRule'), spec: z.strictObject({ groups }) });

/** One alerting rule, where it is written, and what it says. */
export interface AlertRule {
  file: string;
  /** Where the rule starts, and where its `runbook_url` is (the line to fix). */
  line: number;
  col: number;
  runbookAt?: { line: number; col: number };
  group: string;
  alert: string;
  expr: string;
  for?: string;
  /** The rule's own static labels; values may still be templates (`{{ $labels.x }}`). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertRuleFile {
  file: string;
  alerts: AlertRule[];
  /** Recording rules: validated, but no alert ever comes of them. */
  records: number;
}

type RuleGroups = z.output<typeof groups>;

/** What Prometheus checks beyond the shape: one of alert/record, no alert-only fields on a recording rule, unique group names. */
function checkRules(parsed: RuleGroups, prefix: readonly string[], source: YamlSource): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const seen = new Set<string>();
  parsed.forEach((group, g) => {
    if (seen.has(group.name)) issues.push(source.issueAt([...prefix, 'groups', g, 'name'], `group "${group.name}" is repeated in the same file: Prometheus refuses it`));
    seen.add(group.name);
    group.rules.forEach((rule, r) => {
      const at = [...prefix, 'groups', g, 'rules', r];
      if ((rule.alert === undefined) === (rule.record === undefined)) issues.push(source.issueAt(at, 'give one of alert or record'));
      if (rule.record === undefined) return;
      for (const field of ['for', 'keep_firing_for'] as const) if (rule[field] !== undefined) issues.push(source.issueAt([...at, field], `a recording rule has no "${field}": only alerts wait`, 'key'));
      if (Object.keys(rule.annotations).length > 0) issues.push(source.issueAt([...at, 'annotations'], 'a recording rule has no annotations: only alerts carry them', 'key'));
    });
  });
  return issues;
}

function alertsOf(parsed: RuleGroups, prefix: readonly string[], source: YamlSource): AlertRule[] {
  return parsed.flatMap((group, g) =>
    group.rules.flatMap((rule, r): AlertRule[] => {
      if (rule.alert === undefined) return [];
      const at = [...prefix, 'groups', g, 'rules', r];
      const runbook = rule.annotations['runbook_url'] === undefined ? {} : { runbookAt: source.locate([...at, 'annotations', 'runbook_url']) };
      // Group labels (newer Prometheus) apply to every rule of the group; the rule's own win.
      const labels = { ...group.labels, ...rule.labels };
      return [{ file: source.file, ...source.locate(at), ...runbook, group: group.name, alert: rule.alert, expr: rule.expr, ...(rule.for === undefined ? {} : { for: rule.for }), labels, annotations: rule.annotations }];
    }),
  );
}

/** Parses and checks one rule file's text; every problem is returned at once, located. */
export function parseAlertRules(textOfFile: string, file: string, env: Readonly<Record<string, string | undefined>>): { ok: true; rules: AlertRuleFile } | { ok: false; issues: LocatedIssue[] } {
  const source = parseYamlSource(textOfFile, file, env);
  if (source.issues.length > 0) return { ok: false, issues: source.issues };
  // An empty rule file is valid to Prometheus: it holds no groups.
  if (source.data === undefined || source.data === null) return { ok: true, rules: { file, alerts: [], records: 0 } };
  const operator = typeof source.data === 'object' && 'kind' in source.data;
  const schema = operator ? operatorFile : plainFile;
  const parsed = schema.safeParse(source.data, { reportInput: true });
  if (!parsed.success) return { ok: false, issues: locateZodIssues(parsed.error.issues, source, schema) };
  const prefix = operator ? ['spec'] : [];
  const ruleGroups = 'spec' in parsed.data ? parsed.data.spec.groups : parsed.data.groups;
  const issues = checkRules(ruleGroups, prefix, source);
  if (issues.length > 0) return { ok: false, issues };
  const records = ruleGroups.reduce((sum, group) => sum + group.rules.filter((rule) => rule.record !== undefined).length, 0);
  return { ok: true, rules: { file, alerts: alertsOf(ruleGroups, prefix, source), records } };
}

/** Reads rule files (relative to `cwd`); every problem of every file is thrown at once (exit 2). */
export async function loadAlertRuleFiles(files: readonly string[], context: { cwd: string; env: Readonly<Record<string, string | undefined>> }): Promise<AlertRuleFile[]> {
  const issues: LocatedIssue[] = [];
  const loaded: AlertRuleFile[] = [];
  for (const file of files) {
    try {
      const result = parseAlertRules(await readInputFile(file, context.cwd, 'the rule file'), file, context.env);
      if (result.ok) loaded.push(result.rules);
      else issues.push(...result.issues);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new InvalidInputError(issues, 'rule files are Prometheus\'s format: groups: [{ name, rules: [{ alert, expr, for, labels, annotations }] }]');
  return loaded;
}

/**
 * How an SOP matcher set meets a rule, judged before anything fires. An alert's labels are the
 * series' labels from `expr`, then the rule's static labels, then `alertname` = the rule's name
 * (Prometheus sets it last). So `alertname` and static labels are known now; any other label
 * (`instance`, or `service` carried through from the series) and any templated value
 * (`{{ $labels.x }}`) is only known per alert: a matcher on it is `undecided`, not a mismatch.
 */
export type RuleMatch = { kind: 'match' } | { kind: 'no'; label: string } | { kind: 'undecided'; labels: string[] };

export function matchRule(rule: Pick<AlertRule, 'alert' | 'labels'>, matchers: Readonly<Record<string, string>>): RuleMatch {
  const pairs = Object.entries(matchers);
  // The linker treats an empty matcher set as matching none: so does the lint.
  if (pairs.length === 0) return { kind: 'no', label: '' };
  const undecided: string[] = [];
  for (const [label, value] of pairs) {
    const known = label === 'alertname' ? rule.alert : rule.labels[label];
    if (known === undefined || known.includes('{{')) undecided.push(label);
    else if (known !== value) return { kind: 'no', label };
  }
  return undecided.length === 0 ? { kind: 'match' } : { kind: 'undecided', labels: undecided };
}

/** What a rule's `runbook_url` says about SOPs. */
export type RunbookLink =
  | { kind: 'none' }
  /** Linked the way `watch` links a firing alert by its runbook_url (the same code decides: see `runbookLink`). */
  | { kind: 'sop'; sop: string }
  /** Written like an SOP link (`…/sop/<id>`, `…/sops/<id>.yaml`) but no SOP has that id. */
  | { kind: 'missing'; id: string }
  /** Holds a template: only the alert will tell where it points. */
  | { kind: 'templated' }
  /** Some other runbook (a wiki page, a mixin's runbook site). */
  | { kind: 'other' };

/** The folder names that mark a URL as an SOP link by the convention of item A13 and the README. */
const SOP_FOLDERS = new Set(['sop', 'sops']);

/** The id a `…/sop/<id>` URL names; `linkAlert` already resolves it when the SOP exists, this only names the missing one. */
function pointedSopId(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.replace(/[?#].*$/, '');
  }
  const segments = path.split('/').filter((segment) => segment !== '');
  const last = segments.at(-1);
  const folder = segments.at(-2);
  if (last === undefined || folder === undefined || !SOP_FOLDERS.has(folder.toLowerCase())) return undefined;
  const id = last.replace(/\.(ya?ml|md)$/, '');
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

/**
 * `linkByRunbook` is how `watch` links an alert by its runbook_url (`linkAlert` of
 * src/watch/alert-sop-links.ts, handed in by the command: core SOP code does not import the
 * watch folder), so the lint and the night agree on what a URL names.
 */
export function runbookLink(rule: Pick<AlertRule, 'annotations'>, linkByRunbook: (runbookUrl: string) => string | undefined): RunbookLink {
  const url = rule.annotations['runbook_url']?.trim();
  if (url === undefined || url === '') return { kind: 'none' };
  if (url.includes('{{')) return { kind: 'templated' };
  const sop = linkByRunbook(url);
  if (sop !== undefined) return { kind: 'sop', sop };
  const id = pointedSopId(url);
  return id === undefined ? { kind: 'other' } : { kind: 'missing', id };
}

/** One thing `sops lint` found; errors fail the lint (exit 1), warnings are said and pass. */
export interface LintFinding {
  level: 'error' | 'warning';
  kind: 'runbook-missing-sop' | 'runbook-templated' | 'matchers-match-no-rule' | 'matchers-undecided' | 'alert-claimed-twice' | 'alert-without-sop' | 'sop-without-alert' | 'rehearsal-stale' | 'rehearsal-never';
  file: string;
  line: number;
  col: number;
  message: string;
  alert?: string;
  sop?: string;
}

/** An SOP as the cross-check needs it: its id, and each `links.alerts` matcher set with where it is written. */
export interface LintSop {
  id: string;
  file: string;
  line: number;
  col: number;
  alerts: ReadonlyArray<{ matchers: Readonly<Record<string, string>>; line: number; col: number }>;
}

const showMatchers = (matchers: Readonly<Record<string, string>>): string => `{${Object.entries(matchers).map(([label, value]) => `${label}="${value}"`).join(', ')}}`;
const where = (rule: AlertRule): string => `${rule.file}:${rule.line}`;

function matcherFindings(sop: LintSop, index: number, rules: readonly AlertRule[]): LintFinding | undefined {
  const set = sop.alerts[index];
  if (set === undefined) return undefined;
  const results = rules.map((rule) => ({ rule, match: matchRule(rule, set.matchers) }));
  if (results.some(({ match }) => match.kind === 'match')) return undefined;
  const at = { file: sop.file, line: set.line, col: set.col, sop: sop.id };
  const maybe = results.flatMap(({ rule, match }) => (match.kind === 'undecided' ? [{ rule, labels: match.labels }] : []));
  if (maybe.length > 0) {
    const first = maybe[0];
    const labels = [...new Set(maybe.flatMap((entry) => entry.labels))].map((label) => `"${label}"`).join(', ');
    const rulesText = maybe.slice(0, 3).map(({ rule }) => `${rule.alert} (${where(rule)})`).join(', ') + (maybe.length > 3 ? ` and ${maybe.length - 3} more` : '');
    const fix = first === undefined ? '' : `; set ${first.labels.map((label) => `labels.${label}`).join(', ')} in the rule to make it certain`;
    return { level: 'warning', kind: 'matchers-undecided', ...at, message: `SOP ${sop.id} links.alerts.${index} ${showMatchers(set.matchers)} may match ${rulesText}: ${labels} is not set statically by the rule (it comes from the series of its expr, or a template), so it cannot be decided before the alert fires${fix}` };
  }
  const wanted = set.matchers['alertname'];
  const hint = wanted === undefined ? '' : didYouMean(wanted, rules.map((rule) => rule.alert));
  return { level: 'error', kind: 'matchers-match-no-rule', ...at, message: `SOP ${sop.id} links.alerts.${index} ${showMatchers(set.matchers)} matches no alert rule${hint}` };
}

/**
 * The alert rules and the SOP set checked against each other (item A13): runbook_urls that name
 * an SOP resolve to one, every SOP matcher set matches a rule, every alert has an SOP, and no alert
 * is claimed by two SOPs. `linkByRunbook` is the watch's own linking (see `runbookLink`).
 */
export function crossCheckRules(
  rules: readonly AlertRule[],
  sops: readonly LintSop[],
  linkByRunbook: (runbookUrl: string) => string | undefined,
): LintFinding[] {
  const findings: LintFinding[] = [];
  const linkedByRunbook = new Set<string>();
  for (const rule of rules) {
    const link = runbookLink(rule, linkByRunbook);
    const at = { file: rule.file, ...(rule.runbookAt ?? { line: rule.line, col: rule.col }), alert: rule.alert };
    if (link.kind === 'sop') linkedByRunbook.add(link.sop);
    if (link.kind === 'missing') findings.push({ level: 'error', kind: 'runbook-missing-sop', ...at, message: `alert ${rule.alert}: runbook_url points at SOP "${link.id}", and no SOP has that id${didYouMean(link.id, sops.map((sop) => sop.id))}` });
    if (link.kind === 'templated') findings.push({ level: 'warning', kind: 'runbook-templated', ...at, message: `alert ${rule.alert}: runbook_url is a template; where it points is only known when the alert fires` });
    const claiming = sops.filter((sop) => sop.alerts.some((set) => matchRule(rule, set.matchers).kind !== 'no'));
    const certain = sops.filter((sop) => sop.alerts.some((set) => matchRule(rule, set.matchers).kind === 'match'));
    if (certain.length > 1) findings.push({ level: 'warning', kind: 'alert-claimed-twice', file: rule.file, line: rule.line, col: rule.col, alert: rule.alert, message: `alert ${rule.alert} is claimed by ${certain.length} SOPs (${certain.map((sop) => sop.id).join(', ')}): watch links it to the first by id` });
    if (link.kind === 'none' && claiming.length === 0) findings.push({ level: 'error', kind: 'alert-without-sop', file: rule.file, line: rule.line, col: rule.col, alert: rule.alert, message: `alert ${rule.alert} (group ${rule.group}) has no SOP: no runbook_url, and no SOP's links.alerts matches it` });
  }
  for (const sop of sops) {
    sop.alerts.forEach((_set, index) => {
      const finding = matcherFindings(sop, index, rules);
      if (finding !== undefined) findings.push(finding);
    });
    if (sop.alerts.length === 0 && !linkedByRunbook.has(sop.id)) findings.push({ level: 'warning', kind: 'sop-without-alert', file: sop.file, line: sop.line, col: sop.col, sop: sop.id, message: `SOP ${sop.id} answers no alert: it has no links.alerts and no rule's runbook_url names it` });
  }
  return findings;
}
