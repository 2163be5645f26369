import { formatCount, formatMs, formatPercent, formatRate, formatSpan } from './report-format.js';
import type { ReportModel } from './report-model.js';

type Body = Omit<ReportModel, 'verdict' | 'summary' | 'title'>;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** What fails the report: a load test that did not pass, a rehearsal that did not, isolation not proven. */
function findings(body: Body): string[] {
  const found: string[] = [];
  for (const load of body.loads) {
    const failed = load.thresholds.filter((threshold) => !threshold.pass).length;
    if (load.verdict === 'aborted') found.push(`load test ${load.title} aborted`);
    else if (load.verdict === 'fail') found.push(`load test ${load.title}: ${failed > 0 ? `${plural(failed, 'threshold')} failed` : 'failed'}`);
    else if (load.verdict === 'unknown') found.push(`load test ${load.title} never finished`);
    if (load.isolation !== undefined && !load.isolation.ok) found.push(`load test ${load.title}: write isolation not proven`);
  }
  for (const rehearsal of body.rehearsals.filter((entry) => entry.status !== 'passed')) found.push(`SOP ${rehearsal.sop.id} ${rehearsal.status}`);
  for (const rehearsal of body.rehearsals) if (rehearsal.load?.isolation !== undefined && !rehearsal.load.isolation.ok) found.push(`SOP ${rehearsal.sop.id}: write isolation not proven`);
  return found;
}

export function reportVerdict(body: Body): ReportModel['verdict'] {
  const found = findings(body);
  const items = plural(body.actions.length, 'action item');
  if (found.length > 0) return { pass: false, line: `FAIL — ${found.join('; ')}; ${items}` };
  const ran = [
    body.loads.length > 0 ? `${plural(body.loads.length, 'load test')} passed` : '',
    body.rehearsals.length > 0 ? `${plural(body.rehearsals.length, 'rehearsal')} passed` : '',
    body.watches.length > 0 ? `${plural(body.coverage.alerts.length, 'alert')} fired${body.coverage.unlinked.length > 0 ? ` (${body.coverage.unlinked.length} with no SOP)` : ''}` : '',
  ].filter((part) => part !== '');
  return { pass: true, line: `PASS — ${ran.join(', ') || 'nothing to judge'}; ${items}` };
}

/** A few lines a person reads first. */
export function describeRuns(body: Body): string[] {
  const lines: string[] = [];
  for (const load of body.loads) {
    const agents = load.runs.length > 1 ? ` (${load.runs.length} agents merged)` : '';
    lines.push(`Load test ${load.title}${agents} against ${load.target}: ${formatCount(load.totals.requests)} requests in ${formatSpan(load.duration_s)}, peak ${formatRate(load.totals.rate_peak)}, p99 ${formatMs(load.totals.latency_ms?.p99)}, errors ${formatPercent(load.totals.error_rate)}; ${load.thresholds.filter((threshold) => threshold.pass).length} of ${load.thresholds.length} thresholds passed${load.partial ? ' (partial run)' : ''}.`);
  }
  for (const section of body.capacity) lines.push(`Capacity (${section.scenario}): the forecast ${section.holds ? 'holds' : 'is at risk'}; the load test stood for ${formatPercent(section.validated_level)} of the forecast peak at scale ${section.scale}.`);
  if (body.rehearsals.length > 0) {
    const passed = body.rehearsals.filter((rehearsal) => rehearsal.status === 'passed').length;
    const ttd = body.rehearsals.flatMap((rehearsal) => (typeof rehearsal.timings['ttd_ms'] === 'number' ? [rehearsal.timings['ttd_ms']] : []));
    lines.push(`SOP rehearsals: ${passed} of ${body.rehearsals.length} passed${ttd.length === 0 ? '' : `; time to detect ${Math.min(...ttd) === Math.max(...ttd) ? formatMs(ttd[0]) : `${formatMs(Math.min(...ttd))}–${formatMs(Math.max(...ttd))}`}`}.`);
  }
  if (body.watches.length > 0) {
    const alerts = body.coverage.alerts;
    if (alerts.length === 0) lines.push(`Alerts: none fired while ${plural(body.watches.length, 'watch session')} listened.`);
    else lines.push(`Alerts: ${alerts.length} fired (${alerts.filter((alert) => alert.resolved_at !== undefined).length} resolved), ${body.coverage.unlinked.length === 0 ? 'every one linked to an SOP' : `${plural(body.coverage.unlinked.length, 'alert')} with no SOP (${body.coverage.unlinked.join(', ')})`}.`);
  }
  const stale = body.coverage.sops.filter((sop) => sop.state !== 'fresh');
  if (body.coverage.sops.length > 0) lines.push(`SOPs: ${body.coverage.sops.length} known, ${stale.length === 0 ? 'every one rehearsed green recently' : `${stale.length} not rehearsed green within the bound (${stale.map((sop) => sop.id).join(', ')})`}.`);
  return lines;
}
