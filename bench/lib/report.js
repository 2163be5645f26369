import { cpus } from 'node:os';
import { SCENARIO } from './loadtest-need.js';
import { MAX_ERROR_RATE } from './targets.js';

/** The whole report, with the warnings and failures the measurements call for. */
export function buildReport({ options, busy, wrk, results, loadtest }) {
  const warnings = [];
  // Other work on the machine skews every number here (the bench needs both cores to itself).
  if (busy > 0.25) {
    warnings.push(`other processes kept ${busy.toFixed(2)} CPUs busy just before the run: the numbers are low and noisy; run again on a quiet machine`);
  }
  const failures = results
    .filter((result) => result.error_rate > MAX_ERROR_RATE)
    .map(
      (result) =>
        `${result.label} (${result.tool}): ${(result.error_rate * 100).toFixed(2)}% of requests failed ` +
        `(${result.errors} socket errors/timeouts, ${result.non2xx} non-2xx answers${result.status_codes === undefined ? '' : `, status codes ${JSON.stringify(result.status_codes)}`}), over the ${MAX_ERROR_RATE * 100}% limit`,
    );
  if (loadtest.headroom_over_forecast !== undefined && loadtest.headroom_over_forecast < 1) {
    warnings.push(`the slowest gateway route (${grouped(loadtest.slowest_req_per_s)} req/s) is below the gateway's forecast peak of ${SCENARIO} (${grouped(loadtest.gateway_forecast_peak_qps)} req/s)`);
  }
  return {
    node: process.version,
    cpus: cpus().length,
    busy_cpus_before: Number(busy.toFixed(2)),
    connections: options.connections,
    pipelining: 1,
    duration_s: options.duration,
    warmup_s: options.warmup,
    wrk: wrk === undefined ? { skipped: 'wrk is not on PATH' } : { path: wrk },
    results,
    loadtest,
    warnings,
    failures,
  };
}

const fixed = (value, digits) => (value === undefined || value === null ? '-' : value.toFixed(digits));
const grouped = (value) => Math.round(value).toLocaleString('en-US');
// autocannon keeps latencies in whole milliseconds; wrk in microseconds.
const latencyCell = (tool, ms) => (tool === 'autocannon' && ms === 0 ? '<1' : fixed(ms, tool === 'autocannon' ? 0 : 1));
const times = (value) => `${value >= 10 ? value.toFixed(0) : value.toFixed(1)}×`;

export function renderTable(report) {
  const header = ['target', 'tool', 'req/s', 'p50 ms', 'p99 ms', 'errors/non-2xx', 'vs bare', 'server CPU µs/req'];
  const rows = report.results.map((result) => [
    result.label,
    result.tool,
    grouped(result.req_per_s),
    latencyCell(result.tool, result.p50_ms),
    latencyCell(result.tool, result.p99_ms),
    `${result.errors}/${result.non2xx} (${(result.error_rate * 100).toFixed(2)}%)`,
    result.ratio_to_bare === null ? '' : `${result.ratio_to_bare.toFixed(2)}×`,
    fixed(result.server_cpu_us_per_request, 0),
  ]);
  const right = [false, false, true, true, true, true, true, true];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => cells.map((cell, column) => (right[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();

  const out = [];
  out.push(`live-assure bench: demo gateway vs bare node:http — ${report.connections} connections, pipelining 1, ${report.duration_s} s per target after ${report.warmup_s} s warm-up`);
  out.push(`node ${report.node}, ${report.cpus} CPUs; load generator in this process, each server in its own process; targets run one after the other`);
  out.push('');
  out.push(line(header));
  out.push(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) out.push(line(row));
  out.push('');
  if (report.wrk.skipped !== undefined) out.push(`wrk: skipped (${report.wrk.skipped})`);
  for (const result of report.results) {
    if (result.ratio_to_bare === null || result.id === 'bare') continue;
    out.push(`${result.id} through the gateway (${result.tool}): ${result.ratio_to_bare.toFixed(2)}× bare node:http`);
  }
  const need = report.loadtest;
  if (need.error !== undefined) out.push('', `one-machine load test of ${SCENARIO}: unknown (${need.error})`);
  else {
    out.push('', `one-machine load test of ${need.scenario} (slowest gateway route measured: ${need.slowest_route}, ${grouped(need.slowest_req_per_s)} req/s):`);
    out.push(`  forecast peak at the gateway (live-assure plan): ${grouped(need.gateway_forecast_peak_qps)} req/s at ${clock(need.gateway_forecast_peak_at_ms)} → ${times(need.headroom_over_forecast)} headroom`);
    if (need.loadtest_peak_qps !== null) {
      out.push(`  its load profile (scale ${need.load_scale} × highest stage ${need.load_highest_level}): ${grouped(need.loadtest_peak_qps)} req/s → ${times(need.headroom_over_loadtest)} headroom`);
    }
  }
  if (report.warnings.length > 0) out.push('', ...report.warnings.map((warning) => `WARNING: ${warning}`));
  if (report.failures.length > 0) out.push('', ...report.failures.map((failure) => `FAIL: ${failure}`));
  return `${out.join('\n')}\n`;
}

function clock(ms) {
  if (typeof ms !== 'number') return '?';
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
