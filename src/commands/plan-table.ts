import Table from 'cli-table3';
import type { Plan, ServicePlan } from '../scenarios/forecast.js';
import { formatDuration } from '../scenarios/unit-text.js';

function formatQps(value: number): string {
  if (value === 0) return '0';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function riskOf(service: ServicePlan, hotKeyServices: ReadonlySet<string>): string {
  const risks = [
    service.gap > 0 ? 'GAP' : '',
    service.latency_impossible !== null ? 'SLO' : '',
    hotKeyServices.has(service.name) ? 'HOT KEY' : '',
  ].filter((risk) => risk !== '');
  return risks.length === 0 ? 'ok' : risks.join(', ');
}

function poolOf(service: ServicePlan): string {
  if (service.pool === 'short') return 'short';
  if (service.pool === 'elastic') return `elastic ${service.elastic_used}/${service.have.elastic}`;
  return 'fixed';
}

/** The plan as the table SREs read: one row per service, then hot keys, warnings and the verdict. */
/** The plan for people; `loadLines` (what `loadtest` will send) goes just above the verdict, which stays last. */
export function renderPlan(plan: Plan, loadLines = ''): string {
  const table = new Table({
    head: ['service', 'peak QPS', 'at', 'capacity each', 'needed', 'have', 'gap', 'fixed/elastic', 'risk'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
  });
  const hotKeyServices = new Set(plan.hot_keys.map((risk) => risk.service));
  for (const service of plan.services) {
    table.push([
      service.kind === 'http' ? service.name : `${service.name} (${service.kind})`,
      formatQps(service.peak_qps),
      formatDuration(service.at_ms),
      `${formatQps(service.capacity_per_unit)}/${service.unit}`,
      `${formatCount(service.needed)} ${service.decided_by === 'latency' ? '(latency)' : '(headroom)'}`,
      service.have.elastic > 0 ? `${formatCount(service.have.fixed)} + ${formatCount(service.have.elastic)}` : formatCount(service.have.fixed),
      service.gap > 0 ? `+${formatCount(service.gap)}` : '0',
      poolOf(service),
      riskOf(service, hotKeyServices),
    ]);
  }

  const lines = [
    `${plan.scenario}: ${formatQps(plan.peak_viewers)} peak viewers over ${formatDuration(plan.duration_ms)}, headroom ${Math.round(plan.headroom * 100)}% (needed = peak ÷ (capacity × ${(1 - plan.headroom).toFixed(2)}), or more where the latency budget asks)`,
    table.toString(),
  ];
  for (const risk of plan.hot_keys) {
    lines.push(
      `hot key (${risk.severity}): ${risk.service}: the node holding ${risk.key} ${risk.value} serves ${formatQps(risk.node_qps)} ` +
        `of its ${formatQps(risk.node_capacity)} QPS — ${formatQps(risk.key_qps)} for ${risk.key} ${risk.value} alone ` +
        `(${(risk.share * 100).toFixed(1)}% of requests keyed by ${risk.key}), the rest spread over ${formatCount(risk.nodes)} nodes. ` +
        `Remedy: ${risk.remedy}.`,
    );
  }
  for (const service of plan.services) {
    if (service.latency_impossible !== null) lines.push(`latency: ${service.name}: ${service.latency_impossible}.`);
  }
  if (plan.idle_services.length > 0) {
    lines.push(`note: no forecast load reaches ${plan.idle_services.join(', ')}.`);
  }
  if (loadLines !== '') lines.push(loadLines.trimEnd());
  lines.push(plan.verdict.summary);
  return `${lines.join('\n')}\n`;
}
