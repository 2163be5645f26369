import type { LatencyMs, RunSummary } from '../engine/run-events.js';
import { targetUnreachable } from '../engine/run-exit-code.js';
import type { Paint } from './colour.js';
import { formatNumber } from './flag-numbers.js';
import { renderShadowSummary } from './isolation-lines.js';

const ms = (value: number): string => `${formatNumber(value)}ms`;
const count = (value: number): string => value.toLocaleString('en-US');
const percent = (part: number, whole: number): string => (whole === 0 ? '–' : `${formatNumber((100 * part) / whole, 2)}%`);

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')}\n`).join('');
}

function latencyCells(latency: LatencyMs, measured: boolean): string[] {
  const cell = (value: number): string => (measured ? ms(value) : '–');
  return [cell(latency.p50), cell(latency.p90), cell(latency.p99), cell(latency.p999), cell(latency.max)];
}

function thresholdValue(expr: string, value: number | null): string {
  if (value === null) return 'nothing measured';
  if (/errors\.rate/.test(expr)) return `${formatNumber(value * 100, 3)}%`;
  if (/\.rps|^rps/.test(expr)) return `${formatNumber(value)}/s`;
  return ms(value);
}

const VERDICT_TEXT = { pass: 'PASS', fail: 'FAIL', aborted: 'ABORTED' } as const;

/** The end-of-run report for people: per-endpoint table, rates, thresholds, the verdict. */
export function renderLoadtestSummary(summary: RunSummary, runDir: string | undefined, exitCode: number, paint: { red: Paint } = { red: (text) => text }): string {
  const rows = [['endpoint', 'requests', 'errors', 'p50', 'p90', 'p99', 'p99.9', 'max']];
  for (const [name, endpoint] of Object.entries(summary.endpoints)) {
    rows.push([name, count(endpoint.requests), percent(endpoint.errors, endpoint.requests), ...latencyCells(endpoint.latency_ms, endpoint.latency_ms.max > 0)]);
  }
  rows.push(['all', count(summary.requests), percent(summary.errors, summary.requests), ...latencyCells(summary.latency_ms, summary.latency_ms.max > 0)]);
  const seconds = summary.duration_ms / 1000;
  const kinds = Object.entries(summary.error_kinds).map(([kind, n]) => `${kind} ${count(n ?? 0)}`).join(', ');
  let text = `\n${table(rows)}\n`;
  text += `  arrivals   ${count(summary.arrivals.started)} of ${count(summary.arrivals.scheduled)} scheduled (${formatNumber(summary.rate.achieved)}/s of ${formatNumber(summary.rate.target)}/s)${summary.arrivals.dropped > 0 ? `, ${count(summary.arrivals.dropped)} DROPPED` : ''}\n`;
  text += `  requests   ${count(summary.requests)} sent, ${count(summary.responses)} answered in ${formatNumber(seconds)}s\n`;
  if (summary.errors > 0) text += `  errors     ${count(summary.errors)} (${kinds})\n`;
  for (const line of summary.first_errors ?? []) text += `             ${line}\n`;
  text += `  generator  lag p50 ${ms(summary.generator_lag_ms.p50)}, p99 ${ms(summary.generator_lag_ms.p99)}, max ${ms(summary.generator_lag_ms.max)}\n`;
  for (const warning of summary.generator.warnings) text += `  WARNING    ${warning}\n`;
  text += '\n  thresholds\n';
  for (const result of summary.thresholds) text += `    ${result.pass ? '✓' : '✗'} ${result.expr}  (${thresholdValue(result.expr, result.value)})\n`;
  if (summary.abort !== undefined) text += `\n  aborted at ${formatNumber(summary.abort.at_ms / 1000)}s: ${summary.abort.expr} held (${thresholdValue(summary.abort.expr, summary.abort.value)})\n`;
  if (targetUnreachable(summary)) text += `\n  the target never answered: all ${count(summary.requests)} requests failed before any response (is it running at ${summary.target}?)\n`;
  if (summary.stop_reason === 'interrupted') text += '\n  interrupted: the summary covers what was measured until then\n';
  if (summary.shadow !== undefined) text += renderShadowSummary(summary.shadow, paint);
  const failed = summary.thresholds.filter((result) => !result.pass).length;
  const partial = summary.stop_reason === 'interrupted' ? ', on a partial run' : '';
  const why = failed > 0 ? `${failed} of ${summary.thresholds.length} checks failed` : 'a write isolation check failed';
  const cleanup = summary.shadow?.cleanup;
  const uncleaned = cleanup !== undefined && 'failed' in cleanup ? paint.red(' — but SHADOW CLEANUP FAILED') : '';
  const detail = (summary.verdict === 'fail' ? ` (${why})` : '') + partial + uncleaned;
  const unisolated = summary.shadow !== undefined && summary.shadow.unisolated.length > 0 ? paint.red(' — WITH UNISOLATED WRITES') : '';
  text += `\n  verdict: ${VERDICT_TEXT[summary.verdict]}${detail}${unisolated}, exit ${exitCode}${runDir === undefined ? '' : `\n  run directory: ${runDir}`}\n`;
  return text;
}
