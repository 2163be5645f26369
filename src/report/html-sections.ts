import { escapeHtml } from './html-escape.js';
import { loadHtml } from './html-load.js';
import { formatMs, formatPercent, formatRate, formatSpan, formatTime } from './report-format.js';
import type { ActionItem, AppendixRun, CapacitySection, Coverage, ProbeView, RehearsalSection } from './report-model.js';
import { milestoneLabel } from './rehearsal-section.js';

const table = (head: readonly string[], rows: ReadonlyArray<readonly string[]>, numeric: (i: number) => boolean = () => false): string =>
  `<table><thead><tr>${head.map((cell) => `<th>${cell}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((cell, i) => `<td${numeric(i) ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

const reachedCell = (share: number): string => `<span class="${share >= 0.95 ? 'ok' : 'bad'}">${formatPercent(share)}</span>`;

export function capacityHtml(section: CapacitySection): string {
  const endpoints = table(
    ['endpoint', 'forecast peak', 'test target (×scale)', 'busiest 30 s', 'stands for', 'reached', 'p99 in test'],
    section.endpoints.map((row) => [escapeHtml(row.endpoint), formatRate(row.forecast_qps), formatRate(row.target_qps), formatRate(row.measured_peak_qps), formatRate(row.equivalent_qps), reachedCell(row.reached), formatMs(row.p99_ms)]),
    (i) => i > 0,
  );
  const services = table(
    ['service', 'forecast peak', 'needed', 'have', 'pool', 'tested up to', 'reached'],
    section.services.map((row) => [escapeHtml(row.service), formatRate(row.forecast_qps), `${row.needed} ${row.unit}${row.needed === 1 ? '' : 's'}`, String(row.have), row.pool === 'short' ? `<span class="bad">short by ${row.gap}</span>` : row.pool, formatRate(row.equivalent_qps), reachedCell(row.reached)]),
    (i) => i > 0 && i !== 4,
  );
  return `<h3>${escapeHtml(section.scenario)} <span class="pill ${section.holds ? 'pass' : 'fail'}">${section.holds ? 'HOLDS' : 'AT RISK'}</span></h3>
<p>${escapeHtml(section.verdict)}. The load test ran at scale ${section.scale}: its measured peaks ÷ ${section.scale} are the event load it stands for. It validated <b>${formatPercent(section.validated_level)}</b> of the forecast peak (the least reached endpoint).</p>
${endpoints}${services}${section.hot_keys.length === 0 ? '' : `<p class="bad">Hot keys: ${section.hot_keys.map(escapeHtml).join('; ')}</p>`}`;
}

export function probesHtml(probes: readonly ProbeView[]): string {
  if (probes.length === 0) return '';
  return `<h3>What one instance serves (probe)</h3>${table(
    ['target', 'service', 'knee (p99 SLO)', 'per_instance_qps', 'forecast assumes', 'USL peak', 'run'],
    probes.map((probe) => [
      `<code>${escapeHtml(`${probe.method} ${probe.url}`)}</code>`,
      escapeHtml(probe.service ?? '–'),
      probe.knee === null ? `<span class="bad">none under p99 ≤ ${formatMs(probe.slo_p99_ms)}</span>` : `${formatRate(probe.knee.throughput)} at concurrency ${probe.knee.concurrency}, p99 ${formatMs(probe.knee.p99_ms)}`,
      probe.suggested_per_instance_qps === null ? '–' : String(probe.suggested_per_instance_qps),
      probe.assumed_per_instance_qps === undefined ? '–' : `<span class="${probe.assumption_holds === false ? 'bad' : 'ok'}">${probe.assumed_per_instance_qps}</span>`,
      probe.usl_peak === null ? '–' : `${formatRate(probe.usl_peak.throughput)} at ${Math.round(probe.usl_peak.concurrency)}`,
      `<span class="muted">${escapeHtml(probe.dir)}</span>`,
    ]),
  )}`;
}

export function rehearsalHtml(rehearsal: RehearsalSection): string {
  const t = rehearsal.timings;
  const timing = (name: string, key: string): string => `<div class="stat"><span>${name}</span><b>${formatMs(t[key] ?? null)}</b></div>`;
  const groups = [...new Set(rehearsal.checks.map((check) => check.group))];
  const checks = groups.map((group) => `<h4>${escapeHtml(group)}</h4><ul class="checks">${rehearsal.checks.filter((check) => check.group === group).map((check) => `<li>${check.result === 'passed' ? '<span class="ok">✓</span>' : check.result === 'skipped' ? '<span class="muted">–</span>' : '<span class="bad">✗</span>'} ${escapeHtml(check.name)} — <span class="muted">${escapeHtml(check.message)}</span></li>`).join('')}</ul>`).join('');
  const timeline = rehearsal.milestones.map((m) => `<li><span class="when">+${formatSpan(m.at_ms / 1000)}</span> ${escapeHtml(milestoneLabel(m.name))}</li>`).join('');
  return `<section class="rehearsal" id="${escapeHtml(rehearsal.id)}"><h3>${escapeHtml(rehearsal.sop.id)} <span class="pill ${rehearsal.status === 'passed' ? 'pass' : 'fail'}">${escapeHtml(rehearsal.status.toUpperCase())}</span></h3>
<p>${escapeHtml(rehearsal.sop.title)}${rehearsal.sop.owners.length > 0 ? ` · owners: ${escapeHtml(rehearsal.sop.owners.join(', '))}` : ''} · ${formatTime(rehearsal.started_at)} · ${formatSpan(rehearsal.duration_ms / 1000)} · ${rehearsal.exit_code === undefined ? '<span class="bad">never finished</span>' : `exit ${rehearsal.exit_code}`} · ${escapeHtml(rehearsal.dir)}${rehearsal.stop === undefined ? '' : ` · <span class="bad">${escapeHtml(rehearsal.stop)}</span>`}</p>
<div class="stats">${timing('time to detect', 'ttd_ms')}${timing('time to mitigate', 'ttm_ms')}${timing('inject → mitigated', 'ttm_total_ms')}${timing('time to recover', 'ttr_ms')}</div>
<ol class="timeline">${timeline}</ol>
${rehearsal.load === undefined ? '' : loadHtml(rehearsal.load)}
${rehearsal.alerts.length === 0 ? '' : `<h4>Alerts heard</h4><ul class="checks">${rehearsal.alerts.map((alert) => `<li>${formatTime(alert.at)} ${escapeHtml(alert.alertname)} ${escapeHtml(alert.change)}${alert.matches ? ' — <b>the detection</b>' : ''}</li>`).join('')}</ul>`}
${checks}</section>`;
}

function firstStep(afterS: number | undefined): string {
  if (afterS === undefined) return '';
  return afterS >= 0 ? ` (first step ${formatSpan(afterS)} after firing)` : ` (first step ${formatSpan(-afterS)} before it fired)`;
}

export function coverageHtml(coverage: Coverage): string {
  const alerts = coverage.alerts.length === 0 ? '<p class="muted">No alert was recorded (no watch session among the runs, or nothing fired).</p>' : table(
    ['alert', 'labels', 'fired', 'resolved', 'SOP', 'run while firing', 'rehearsal'],
    coverage.alerts.map((alert) => [
      escapeHtml(alert.alertname),
      `<code>${escapeHtml(Object.entries(alert.labels).filter(([name]) => name !== 'alertname').map(([name, value]) => `${name}="${value}"`).join(', '))}</code>`,
      formatTime(alert.fired_at),
      alert.resolved_at === undefined ? '<span class="bad">still firing</span>' : formatTime(alert.resolved_at),
      alert.sop === undefined ? '<span class="bad">NO SOP</span>' : `${escapeHtml(alert.sop)} <span class="muted">(${escapeHtml(alert.by ?? 'matchers')})</span>`,
      alert.executed === undefined ? 'no' : `yes, ${formatTime(alert.executed.at)}${firstStep(alert.executed.first_step_after_s)}`,
      alert.rehearsal === 'fresh' ? `<span class="ok">fresh</span> ${formatTime(alert.last_green)}` : `<span class="bad">${alert.rehearsal}</span>`,
    ]),
  );
  const sops = coverage.sops.length === 0 ? '' : table(
    ['SOP', 'title', 'last green rehearsal', 'last run', 'alerts fired'],
    coverage.sops.map((sop) => [escapeHtml(sop.id), escapeHtml(sop.title ?? ''), sop.state === 'fresh' ? `<span class="ok">${formatTime(sop.last_green)}</span>` : `<span class="bad">${sop.state === 'never' ? 'never' : `stale: ${formatTime(sop.last_green)}`}</span>`, sop.last_run === undefined ? '–' : `${escapeHtml(sop.last_run.status)}, ${formatTime(sop.last_run.at)}`, String(sop.alerts_fired)]),
  );
  return `${alerts}${coverage.unlinked.length === 0 ? '' : `<p class="bad">Alerts with no SOP: ${coverage.unlinked.map(escapeHtml).join(', ')}</p>`}${sops === '' ? '' : `<h3>SOPs (stale after ${Math.round(coverage.max_age_ms / 86_400_000)} days)</h3>${sops}`}`;
}

export function actionsHtml(actions: readonly ActionItem[]): string {
  if (actions.length === 0) return '<p class="ok">No gaps found.</p>';
  return table(['#', 'type', 'action', 'from'], actions.map((item, i) => [String(i + 1), escapeHtml(item.type), escapeHtml(item.text), `<span class="muted">${escapeHtml(item.source)}</span>`]));
}

export function appendixHtml(runs: readonly AppendixRun[]): string {
  return runs.map((run) => `<details><summary>${escapeHtml(run.dir)} — ${escapeHtml(run.kind)}, ${escapeHtml(run.status)}, exit ${run.exit_code ?? '–'}</summary>
<p><code>${escapeHtml(run.command)}</code> · live-assure ${escapeHtml(run.tool_version)} · input ${escapeHtml(run.input_hash || '–')} · ${formatTime(run.started_at)} → ${formatTime(run.ended_at)}</p>
${table(['file', 'bytes', 'sha256'], run.files.map((file) => [escapeHtml(file.name), String(file.bytes), `<code>${file.sha256}</code>`]), (i) => i === 1)}</details>`).join('\n');
}
