import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { parseYamlSource } from '../scenarios/yaml-source.js';
import { crossCheckRules, loadAlertRuleFiles, type LintFinding, type LintSop } from '../sops/alert-rules.js';
import type { LoadedSop } from '../sops/load-sop.js';
import { rehearsalFreshness } from '../sops/rehearsal-freshness.js';
import { linkAlert } from '../watch/alert-sop-links.js';
import { parseAgeFlag } from './age-flag.js';
import { colour } from './colour.js';
import { readRehearsalHistory } from './rehearsal-history.js';
import { loadSopDirectory } from './sop-directory.js';

export interface SopsLintFlags {
  rules: string[];
  sops: string;
  runs: string;
  maxAge: string;
  json?: boolean;
}

/** Where each SOP's id and `links.alerts` sets are written, so a finding points at the line to fix. */
function lintSop({ file, text, sop }: LoadedSop, env: Io['env']): LintSop {
  const source = parseYamlSource(text, file, env);
  return { id: sop.id, file, ...source.locate(['id']), alerts: sop.links.alerts.map((set, index) => ({ matchers: set.matchers, ...source.locate(['links', 'alerts', index, 'matchers']) })) };
}

const DAY_MS = 86_400_000;
const ago = (nowMs: number, at: string): string => `${Math.floor((nowMs - Date.parse(at)) / DAY_MS)}d ago`;

/** Rehearsal freshness (item A14) as findings, each pointing at the SOP's id line. */
function freshnessFindings(sops: readonly LintSop[], history: ReturnType<typeof readRehearsalHistory>, nowMs: number, maxAgeMs: number, maxAge: string): LintFinding[] {
  const byId = new Map(sops.map((sop) => [sop.id, sop]));
  return rehearsalFreshness([...byId.keys()], history.rehearsals, nowMs, maxAgeMs).flatMap((entry): LintFinding[] => {
    const sop = byId.get(entry.sop);
    if (sop === undefined || entry.state === 'fresh') return [];
    const at = { file: sop.file, line: sop.line, col: sop.col, sop: sop.id };
    if (entry.state === 'stale' && entry.lastGreen !== undefined) {
      return [{ level: 'error', kind: 'rehearsal-stale', ...at, message: `SOP ${sop.id}: last green rehearsal ${entry.lastGreen.at} (${ago(nowMs, entry.lastGreen.at)}, ${entry.lastGreen.dir}) is older than ${maxAge}` }];
    }
    const last = entry.lastRun === undefined ? 'never rehearsed' : `never rehearsed green (last run ${entry.lastRun.status} at ${entry.lastRun.at}, ${entry.lastRun.dir})`;
    return [{ level: 'error', kind: 'rehearsal-never', ...at, message: `SOP ${sop.id}: ${last}` }];
  });
}

const GROUPS: ReadonlyArray<{ title: string; kinds: ReadonlyArray<LintFinding['kind']> }> = [
  { title: 'alert rules → SOPs', kinds: ['runbook-missing-sop', 'runbook-templated', 'alert-claimed-twice'] },
  { title: 'SOPs → alert rules', kinds: ['matchers-match-no-rule', 'matchers-undecided', 'sop-without-alert'] },
  { title: 'alerts without SOP', kinds: ['alert-without-sop'] },
  { title: 'rehearsal freshness', kinds: ['rehearsal-stale', 'rehearsal-never'] },
];

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function renderHuman(findings: readonly LintFinding[], notes: readonly string[], totals: string, maxAge: string, red: (text: string) => string): string {
  const lines: string[] = [];
  for (const group of GROUPS) {
    const inGroup = findings.filter((finding) => group.kinds.includes(finding.kind));
    if (inGroup.length === 0) continue;
    lines.push(group.title === 'rehearsal freshness' ? `${group.title} (max age ${maxAge})` : group.title);
    for (const finding of inGroup) lines.push(`  ${finding.level === 'error' ? red('error  ') : 'warning'} ${finding.file}:${finding.line}:${finding.col} ${finding.message}`);
  }
  if (notes.length > 0) lines.push('notes', ...notes.map((note) => `  ${note}`));
  const errors = findings.filter((finding) => finding.level === 'error').length;
  const warnings = findings.length - errors;
  const verdict = findings.length === 0 ? 'ok: nothing found' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  lines.push(`sops lint: ${verdict} (${totals})`);
  return `${lines.join('\n')}\n`;
}

/**
 * `live-assure sops lint`: the alert rules and the SOP set checked against each other, and the
 * SOPs' rehearsal freshness. Exit 0 with no errors (warnings pass), 1 with any, 2 when a rule
 * file, an SOP or a flag is invalid (nothing was checked).
 */
export async function runSopsLint(flags: SopsLintFlags, io: Io): Promise<number> {
  const maxAgeMs = parseAgeFlag(flags.maxAge, '--max-age');
  const ruleFiles = await loadAlertRuleFiles(flags.rules, { cwd: io.cwd, env: io.env });
  const loaded = await loadSopDirectory(flags.sops, io);
  const sops = loaded.map((entry) => lintSop(entry, io.env));
  const alerts = ruleFiles.flatMap((file) => file.alerts);
  const linkByRunbook = (url: string): string | undefined => linkAlert({ labels: {}, annotations: { runbook_url: url } }, loaded.map(({ sop }) => sop))?.sop;
  const history = readRehearsalHistory(flags.runs, io.cwd);
  const nowMs = io.now();
  const findings = [...crossCheckRules(alerts, sops, linkByRunbook), ...freshnessFindings(sops, history, nowMs, maxAgeMs, flags.maxAge)];
  const exitCode = findings.some((finding) => finding.level === 'error') ? ExitCode.Finding : ExitCode.Ok;
  const records = ruleFiles.reduce((sum, file) => sum + file.records, 0);
  if (flags.json === true) {
    const counts = { errors: findings.filter((finding) => finding.level === 'error').length, warnings: findings.filter((finding) => finding.level === 'warning').length };
    io.stdout.write(`${JSON.stringify({ findings, notes: history.notes, counts, checked: { rule_files: ruleFiles.length, alert_rules: alerts.length, recording_rules: records, sops: sops.length, rehearsals: history.rehearsals.length }, max_age_ms: maxAgeMs, exit_code: exitCode }, null, 2)}\n`);
  } else {
    const totals = `${plural(ruleFiles.length, 'rule file')}: ${plural(alerts.length, 'alert rule')}, ${plural(records, 'recording rule')}; ${plural(sops.length, 'SOP')}; ${plural(history.rehearsals.length, 'rehearsal')} under ${flags.runs}`;
    io.stdout.write(renderHuman(findings, history.notes, totals, flags.maxAge, colour(io.stdout, io.env).red));
  }
  return exitCode;
}
