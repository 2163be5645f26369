import { escapeHtml } from './html-escape.js';
import { formatCount, formatMs, formatPercent, formatRate, formatSpan, formatThresholdValue, formatTime } from './report-format.js';
import type { EndpointRow, IsolationView, LoadSection } from './report-model.js';
import { ANNOTATION_COLOURS, clockLabel, lineChart } from './svg-chart.js';

/** Enough lines to tell endpoints apart; past that a chart is noise (the table has them all). */
const MAX_ENDPOINT_LINES = 8;
const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bf8700', '#1b7c83', '#bc4c00', '#6e7781'];

const mark = (ok: boolean | null): string => (ok === null ? '' : ok ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>');

function endpointRow(row: EndpointRow, strong = false): string {
  const l = row.latency_ms;
  const cells = [
    escapeHtml(row.name),
    formatCount(row.requests),
    formatRate(row.rate_mean),
    formatRate(row.rate_peak),
    `${formatPercent(row.error_rate)} ${mark(row.slo_errors_ok)}`,
    formatMs(l?.p50),
    formatMs(l?.p90),
    `${formatMs(l?.p99)} ${mark(row.slo_p99_ok)}`,
    formatMs(l?.p999),
    formatMs(l?.max),
  ];
  const tag = strong ? 'th' : 'td';
  return `<tr>${cells.map((cell, i) => `<${i === 0 ? 'th' : tag}${i === 0 ? ' scope="row"' : ' class="num"'}>${cell}</${i === 0 ? 'th' : tag}>`).join('')}</tr>`;
}

function isolationBlock(isolation: IsolationView): string {
  const line = (name: string, text: string, ok: boolean): string => `<li>${ok ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>'} <b>${name}</b>: ${escapeHtml(text)}</li>`;
  const failed = (check: string): boolean => isolation.checks.some((entry) => entry.check === check && !entry.ok);
  return `<h4>Shadow isolation ${isolation.ok ? '<span class="ok">proven</span>' : '<span class="bad">NOT proven</span>'}</h4><ul class="checks">${[
    isolation.unisolated.length > 0 ? line('unisolated writes', `${isolation.unisolated.join(', ')} ran without proven isolation (--allow-unisolated-writes)`, false) : '',
    line('preflight', isolation.preflight, !failed('preflight')),
    line('sentinel', isolation.sentinel, isolation.sentinel_ok),
    line('audit', isolation.audit, !failed('audit')),
    line('cleanup', isolation.cleanup, !failed('cleanup')),
  ].join('')}</ul>`;
}

/** The charts of a load, its annotations keyed by number, its endpoint table and thresholds. */
export function loadHtml(load: LoadSection): string {
  const s = load.series;
  // Only what the charts can show is numbered (preflight checks come before second 0).
  const end = (s.start_s[s.start_s.length - 1] ?? 0) + s.bucket_s;
  const annotations = load.annotations.filter((annotation) => annotation.at_s >= (s.start_s[0] ?? 0) && annotation.at_s <= end).map((annotation, i) => ({ ...annotation, marker: i + 1 }));
  const common = { startS: s.start_s, bucketS: s.bucket_s, annotations, bands: load.bands };
  const busiest = [...load.endpoints].sort((a, b) => (b.latency_ms?.p99 ?? 0) - (a.latency_ms?.p99 ?? 0)).slice(0, MAX_ENDPOINT_LINES);
  const charts = [
    lineChart({ ...common, id: `${load.id}-rate`, title: `Throughput and errors (per second${s.bucket_s > 1 ? `, ${s.bucket_s}s buckets` : ''})`, format: (v) => formatRate(v), series: [{ name: 'requests/s', colour: '#0969da', values: s.rate }, { name: 'errors/s', colour: '#cf222e', values: s.errors }] }),
    lineChart({ ...common, id: `${load.id}-latency`, title: 'Latency, all endpoints', format: (v) => formatMs(v), series: [{ name: 'p50', colour: '#1a7f37', values: s.p50 }, { name: 'p99', colour: '#bc4c00', values: s.p99 }] }),
    lineChart({ ...common, id: `${load.id}-endpoints`, title: `p99 by endpoint${load.endpoints.length > MAX_ENDPOINT_LINES ? ` (the ${MAX_ENDPOINT_LINES} slowest)` : ''}`, format: (v) => formatMs(v), series: busiest.map((row, i) => ({ name: row.name, colour: PALETTE[i % PALETTE.length] ?? '#000', values: s.endpoint_p99[row.name] ?? [] })) }),
  ];
  const legend = annotations.length === 0 ? '' : `<ol class="annotations">${annotations.map((a) => `<li value="${a.marker}"><span class="dot" style="background:${ANNOTATION_COLOURS[a.kind]}"></span><span class="when">${clockLabel(a.at_s)}</span> ${escapeHtml(a.label)}</li>`).join('')}</ol>`;
  const verdict = load.kind === 'loadtest' ? `<span class="pill ${load.verdict === 'pass' ? 'pass' : 'fail'}">${load.verdict.toUpperCase()}${load.partial ? ' (partial)' : ''}</span>` : '';
  const slo = load.slo === undefined ? '' : ` SLO: p99 ≤ ${formatMs(load.slo.p99_ms)}, errors ≤ ${formatPercent(load.slo.error_rate)}.`;
  const thresholds = load.thresholds.length === 0 ? '' : `<h4>Thresholds</h4><ul class="checks">${load.thresholds.map((t) => `<li>${t.pass ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>'} <code>${escapeHtml(t.expr)}</code> — measured ${escapeHtml(formatThresholdValue(t.expr, t.value))}</li>`).join('')}</ul>`;
  const warnings = [...load.generator_warnings.map((w) => `generator: ${w}`), ...load.first_errors, ...(load.abort === undefined ? [] : [`aborted: ${load.abort}`])];
  return `<div class="load" id="${escapeHtml(load.id)}">
<p class="meta">${verdict} ${escapeHtml(load.target)} · ${formatTime(load.started_at)} · ${formatSpan(load.duration_s)}${load.runs.length > 1 ? ` · ${load.runs.length} agents merged: ${escapeHtml(load.runs.join(', '))}` : ` · ${escapeHtml(load.runs[0] ?? '')}`}${load.stop_reason === undefined ? '' : ` · stopped: ${escapeHtml(load.stop_reason)}`}.${slo}</p>
${charts.join('\n')}
${legend}
<table><thead><tr><th>endpoint</th><th>requests</th><th>mean rate</th><th>peak rate (5s)</th><th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead>
<tbody>${load.endpoints.map((row) => endpointRow(row)).join('')}</tbody><tfoot>${endpointRow(load.totals, true)}</tfoot></table>
${thresholds}
${load.isolation === undefined ? '' : isolationBlock(load.isolation)}
${warnings.length === 0 ? '' : `<ul class="warnings">${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`}
</div>`;
}
