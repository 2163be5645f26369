import { formatCount, formatMs, formatPercent, formatRate, formatSpan, formatThresholdValue, formatTime } from './report-format.js';
import type { LoadSection, ReportModel } from './report-model.js';
import { milestoneLabel } from './rehearsal-section.js';
import { clockLabel } from './svg-chart.js';

/** Run data as Markdown text: no HTML of its own (a GitHub summary would render or fetch it). */
const md = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A table cell: pipes and newlines would break the row. */
const cell = (text: string): string => md(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
/** Inside a code span only a backtick needs care. */
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
const table = (head: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
const tick = (ok: boolean | null): string => (ok === null ? '' : ok ? ' ✅' : ' ❌');

function loadMarkdown(load: LoadSection): string[] {
  const lines = [
    `${load.kind === 'loadtest' ? `**${load.verdict.toUpperCase()}${load.partial ? ' (partial)' : ''}** · ` : ''}${md(load.target)} · ${formatTime(load.started_at)} · ${formatSpan(load.duration_s)} · ${md(load.runs.join(', '))}`,
    '',
    ...table(
      ['endpoint', 'requests', 'peak rate', 'errors', 'p50', 'p99', 'max'],
      [...load.endpoints, load.totals].map((row) => [row.name === 'all' ? '**all**' : row.name, formatCount(row.requests), formatRate(row.rate_peak), `${formatPercent(row.error_rate)}${tick(row.slo_errors_ok)}`, formatMs(row.latency_ms?.p50), `${formatMs(row.latency_ms?.p99)}${tick(row.slo_p99_ok)}`, formatMs(row.latency_ms?.max)]),
    ),
  ];
  if (load.thresholds.length > 0) lines.push('', ...load.thresholds.map((t) => `- ${t.pass ? '✅' : '❌'} ${code(t.expr)} — ${formatThresholdValue(t.expr, t.value)}`));
  if (load.isolation !== undefined) {
    const i = load.isolation;
    lines.push('', md(`Shadow isolation ${i.ok ? '✅ proven' : '❌ NOT proven'}: preflight — ${i.preflight}; sentinel — ${i.sentinel}; audit — ${i.audit}; cleanup — ${i.cleanup}${i.unisolated.length > 0 ? `; unisolated writes: ${i.unisolated.join(', ')}` : ''}`));
  }
  const marks = load.annotations.filter((a) => a.kind !== 'phase');
  if (marks.length > 0) lines.push('', `<details><summary>Timeline (${marks.length} events)</summary>`, '', ...marks.map((a) => `- ${clockLabel(a.at_s)} ${md(a.label)}`), '', '</details>');
  return lines;
}

/** Markdown for a CI job summary (GitHub `$GITHUB_STEP_SUMMARY`) or a ticket: tables, no pictures (the HTML has them). */
export function renderMarkdown(model: ReportModel): string {
  const out = [`# ${md(model.title)}`, '', `> ${model.verdict.pass ? '✅' : '❌'} **${md(model.verdict.line)}**`, '', ...model.summary.map((line) => `- ${md(line)}`), ''];
  out.push(`## Action items (${model.actions.length})`, '');
  out.push(...(model.actions.length === 0 ? ['No gaps found.'] : table(['#', 'type', 'action', 'from'], model.actions.map((item, i) => [String(i + 1), item.type, item.text, item.source]))), '');
  for (const section of model.capacity) {
    out.push(`## Capacity: ${md(section.scenario)} — ${section.holds ? 'HOLDS' : 'AT RISK'}`, '', `${md(section.verdict)}. Scale ${section.scale}; validated ${formatPercent(section.validated_level)} of the forecast peak.`, '');
    out.push(...table(['endpoint', 'forecast peak', 'busiest 30 s', 'stands for', 'reached'], section.endpoints.map((row) => [row.endpoint, formatRate(row.forecast_qps), formatRate(row.measured_peak_qps), formatRate(row.equivalent_qps), `${formatPercent(row.reached)}${tick(row.reached >= 0.95)}`])), '');
    out.push(...table(['service', 'forecast peak', 'needed', 'have', 'pool', 'reached'], section.services.map((row) => [row.service, formatRate(row.forecast_qps), String(row.needed), String(row.have), row.pool === 'short' ? `❌ short by ${row.gap}` : row.pool, formatPercent(row.reached)])), '');
  }
  if (model.probes.length > 0) {
    out.push('## What one instance serves (probe)', '');
    out.push(...table(['target', 'service', 'knee', 'per_instance_qps', 'forecast assumes'], model.probes.map((p) => [`${p.method} ${p.url}`, p.service ?? '–', p.knee === null ? `❌ none under p99 ≤ ${formatMs(p.slo_p99_ms)}` : `${formatRate(p.knee.throughput)} at concurrency ${p.knee.concurrency}`, String(p.suggested_per_instance_qps ?? '–'), p.assumed_per_instance_qps === undefined ? '–' : `${p.assumed_per_instance_qps}${tick(p.assumption_holds ?? null)}`])), '');
  }
  for (const load of model.loads) out.push(`## Load test: ${md(load.title)}`, '', ...loadMarkdown(load), '');
  if (model.rehearsals.length > 0) {
    out.push('## SOP rehearsals', '');
    out.push(...table(['SOP', 'status', 'TTD', 'TTM', 'TTR', 'checks', 'run'], model.rehearsals.map((r) => [r.sop.id, `${r.status === 'passed' ? '✅' : '❌'} ${r.status}`, formatMs(r.timings['ttd_ms']), formatMs(r.timings['ttm_ms']), formatMs(r.timings['ttr_ms']), `${r.checks.filter((c) => c.result === 'passed').length}/${r.checks.length}`, r.dir])), '');
    for (const r of model.rehearsals) {
      const failed = r.checks.filter((c) => c.result === 'failure' || c.result === 'error');
      out.push(`### ${md(r.sop.id)}`, '', `${md(r.sop.title)}. ${r.milestones.map((m) => `${milestoneLabel(m.name)} +${formatSpan(m.at_ms / 1000)}`).join(' → ')}`, '');
      if (failed.length > 0) out.push(...failed.map((c) => `- ❌ ${md(`${c.group} ${c.name}: ${c.message}`)}`), '');
      if (r.alerts.length > 0) out.push(...r.alerts.map((a) => `- alert ${md(a.alertname)} ${a.change} at ${formatTime(a.at)}${a.matches ? ' (the detection)' : ''}`), '');
    }
  }
  out.push('## Alerts → SOPs', '');
  if (model.coverage.alerts.length === 0) out.push('No alert was recorded.', '');
  else out.push(...table(['alert', 'fired', 'resolved', 'SOP', 'run while firing', 'rehearsal'], model.coverage.alerts.map((a) => [a.alertname, formatTime(a.fired_at), a.resolved_at === undefined ? 'still firing' : formatTime(a.resolved_at), a.sop ?? '❌ NO SOP', a.executed === undefined ? 'no' : `yes (${formatTime(a.executed.at)})`, a.rehearsal])), '');
  if (model.coverage.sops.length > 0) out.push(...table(['SOP', 'last green rehearsal', 'alerts fired'], model.coverage.sops.map((s) => [s.id, s.state === 'fresh' ? `✅ ${formatTime(s.last_green)}` : `❌ ${s.state}${s.last_green === undefined ? '' : ` (${formatTime(s.last_green)})`}`, String(s.alerts_fired)])), '');
  if (model.notes.length > 0) out.push('## Notes', '', ...model.notes.map((note) => `- ${md(note)}`), '');
  out.push('## Appendix', '', ...table(['run', 'kind', 'status', 'exit', 'input hash', 'files'], model.appendix.map((run) => [run.dir, run.kind, run.status, String(run.exit_code ?? '–'), run.input_hash.slice(0, 19), run.files.map((file) => `${file.name} (${file.sha256.slice(0, 12)})`).join(', ')])), '', `_${model.tool.name} ${model.tool.version}, ${formatTime(model.generated_at)}_`, '');
  return out.join('\n');
}
