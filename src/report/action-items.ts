import { formatThresholdValue } from './report-format.js';
import type { ActionItem, CapacitySection, Coverage, LoadSection, ProbeView, RehearsalSection } from './report-model.js';

const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;
const days = (ms: number): string => `${Math.round(ms / 86_400_000)}d`;

/** The gaps the report found, each as something a person can do, with the run it came from. */
export function findActionItems(loads: readonly LoadSection[], capacity: readonly CapacitySection[], probes: readonly ProbeView[], rehearsals: readonly RehearsalSection[], coverage: Coverage): ActionItem[] {
  const items: ActionItem[] = [];
  for (const section of capacity) {
    const source = loads.find((load) => load.id === section.load)?.runs.join(', ') ?? section.scenario;
    for (const service of section.services.filter((row) => row.pool === 'short')) {
      items.push({ type: 'capacity', source, text: service.gap > 0 ? `${service.service}: add ${service.gap} ${service.unit}${service.gap === 1 ? '' : 's'} (the forecast peak of ${Math.round(service.forecast_qps)} QPS needs ${service.needed}, there are ${service.have})` : `${service.service}: cannot meet its latency budget at the forecast peak; lower its service time or split the load` });
    }
    for (const risk of section.hot_keys) items.push({ type: 'capacity', source, text: `hot key ${risk}: spread it (local cache, key splitting) before the peak` });
    const short = section.endpoints.filter((row) => row.forecast_qps > 0 && row.reached < 0.95);
    if (short.length > 0) items.push({ type: 'capacity', source, text: `the load test stood for only ${percent(section.validated_level)} of the forecast peak (${short.map((row) => `${row.endpoint} ${percent(row.reached)}`).join(', ')}): test again at full level before the event` });
  }
  for (const probe of probes) {
    if (probe.knee === null) items.push({ type: 'capacity', source: probe.dir, text: `${probe.method} ${probe.url}: no concurrency level met p99 ≤ ${probe.slo_p99_ms}ms: one instance cannot serve its SLO at any load probed` });
    else if (probe.assumption_holds === false) items.push({ type: 'capacity', source: probe.dir, text: `${probe.service}: the forecast assumes ${probe.assumed_per_instance_qps} QPS per instance, but its probe's knee is ${Math.round(probe.knee.throughput)} QPS: set per_instance_qps to ${probe.suggested_per_instance_qps} and plan again` });
  }
  for (const load of loads.filter((section) => section.kind === 'loadtest')) {
    const source = load.runs.join(', ');
    for (const threshold of load.thresholds.filter((entry) => !entry.pass)) items.push({ type: 'threshold', source, text: `threshold ${threshold.expr} failed (measured ${formatThresholdValue(threshold.expr, threshold.value)}): fix the cause or revisit the bound` });
    if (load.verdict === 'unknown') items.push({ type: 'threshold', source, text: 'the run did not finish (killed, or the machine died): its numbers cover what it recorded; run it again to a verdict' });
    for (const endpoint of load.endpoints) {
      if (endpoint.slo_p99_ok === false) items.push({ type: 'slo', source, text: `${endpoint.name}: p99 ${endpoint.latency_ms?.p99}ms misses the SLO of ${load.slo?.p99_ms}ms` });
      if (endpoint.slo_errors_ok === false) items.push({ type: 'slo', source, text: `${endpoint.name}: error rate ${percent(endpoint.error_rate)} misses the SLO of ${percent(load.slo?.error_rate ?? 0)}` });
    }
    if (load.isolation !== undefined && !load.isolation.ok) items.push({ type: 'isolation', source, text: `write isolation was not proven (${load.isolation.checks.filter((check) => !check.ok).map((check) => `${check.check}: ${check.message}`).join('; ') || load.isolation.sentinel}): fix shadow routing before the next load test` });
  }
  for (const rehearsal of rehearsals.filter((section) => section.status !== 'passed')) {
    const failed = rehearsal.checks.filter((check) => check.result === 'failure' || check.result === 'error').map((check) => `${check.group} ${check.name}`);
    items.push({ type: 'rehearsal', source: rehearsal.dir, text: `SOP ${rehearsal.sop.id} did not pass its rehearsal (${rehearsal.status}${failed.length > 0 ? `: ${failed.join('; ')}` : ''}): repair the SOP or the platform, and rehearse again` });
  }
  for (const alertname of coverage.unlinked) {
    const source = coverage.alerts.find((alert) => alert.alertname === alertname)?.dir ?? '';
    items.push({ type: 'sop', source, text: `alert ${alertname} fired with no SOP: write one (links.alerts matchers) or add a runbook_url annotation pointing at an existing SOP` });
  }
  for (const sop of coverage.sops.filter((entry) => entry.state !== 'fresh')) {
    items.push({ type: 'rehearse', source: sop.last_run?.dir ?? '', text: sop.state === 'never' ? `SOP ${sop.id} has no green rehearsal in these runs: schedule one` : `SOP ${sop.id} was last rehearsed green ${sop.last_green ?? ''}, more than ${days(coverage.max_age_ms)} ago: schedule a rehearsal` });
  }
  return items;
}
