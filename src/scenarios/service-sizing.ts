import { evaluateErlang } from './erlang-c.js';
import type { LatencyBudget, Scenario, Service } from './schema.js';

/** The latency objective a service is sized against: the tightest quantile its budget names. */
export interface LatencyTarget {
  quantile: number;
  budget_ms: number;
  /** Where it came from, e.g. `slo.p99_ms` or `services.gift-svc.slo.p99_ms`. */
  source: string;
}

export interface LatencySizing {
  instances: number;
  /** Requests one instance serves at once (the c of each instance's M/M/c queue). */
  workers: number;
  quantile: number;
  wait_budget_ms: number;
  /** P(queueing delay > budget) at the peak with `instances`. */
  p_exceed: number;
  source: string;
}

export interface ServiceSizing {
  /** Capacity unit: instances for http, nodes for redis and mysql. */
  unit: 'instance' | 'node';
  capacity_per_unit: number;
  by_headroom: number;
  /** Null when the service has no service time or no latency objective. */
  by_latency: LatencySizing | null;
  /** Set when the service time alone breaks the latency budget: no instance count helps. */
  latency_impossible: string | null;
  needed: number;
  decided_by: 'headroom' | 'latency';
}

const QUANTILES: ReadonlyArray<[keyof LatencyBudget, number]> = [
  ['p999_ms', 0.999],
  ['p99_ms', 0.99],
  ['p95_ms', 0.95],
  ['p90_ms', 0.9],
  ['p50_ms', 0.5],
];

export function latencyTarget(budget: LatencyBudget | undefined, source: string): LatencyTarget | undefined {
  for (const [field, quantile] of QUANTILES) {
    const value = budget?.[field];
    if (typeof value === 'number') return { quantile, budget_ms: value, source: `${source}.${field}` };
  }
  return undefined;
}

/**
 * Instances by the latency rule. A load balancer spreads requests over instances and each instance
 * queues its own, so each is an M/M/c queue with c = its workers and λ/n arrivals — not one shared
 * queue over every worker, which would promise more than the fleet delivers.
 */
function sizeByLatency(peak: number, serviceTimeMs: number, workers: number, target: LatencyTarget): LatencySizing {
  const waitMs = target.budget_ms - serviceTimeMs;
  const meets = (instances: number) =>
    evaluateErlang({ servers: workers, rate: peak / instances, serviceMs: serviceTimeMs, waitMs, quantile: target.quantile });
  const allowed = 1 - target.quantile;
  const ok = (instances: number) => meets(instances).p_exceed <= allowed * (1 + 1e-12);
  // The smallest count that is not saturated, then gallop and bisect: p_exceed falls as instances grow.
  let low = Math.max(1, Math.floor((peak * serviceTimeMs) / 1000 / workers) + 1);
  let high = low;
  while (!ok(high)) {
    low = high + 1;
    high *= 2;
  }
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (ok(middle)) high = middle;
    else low = middle + 1;
  }
  return {
    instances: high,
    workers,
    quantile: target.quantile,
    wait_budget_ms: waitMs,
    p_exceed: meets(high).p_exceed,
    source: target.source,
  };
}

/** How many instances (or nodes) a service needs at its peak, and which rule decided. */
export function sizeService(name: string, peak: number, service: Service, scenario: Scenario): ServiceSizing {
  const unit = service.kind === 'http' ? 'instance' : 'node';
  const capacity = (service.kind === 'http' ? service.per_instance_qps : service.per_node_qps) ?? 0;
  // Rounding guard: 300.0000000001 instances is 300.
  const byHeadroom = peak > 0 && capacity > 0 ? Math.ceil(peak / (capacity * (1 - scenario.headroom)) - 1e-9) : 0;

  const target =
    latencyTarget(service.slo, `services.${name}.slo`) ?? latencyTarget(scenario.slo, 'slo');
  let byLatency: LatencySizing | null = null;
  let impossible: string | null = null;
  if (service.service_time_ms !== undefined && target !== undefined && peak > 0) {
    const serviceTime = service.service_time_ms;
    if (serviceTime >= target.budget_ms) {
      impossible = `service time ${serviceTime}ms alone uses the whole ${target.budget_ms}ms budget of ${target.source}`;
    } else {
      const workers = service.workers ?? Math.max(1, Math.floor((capacity * serviceTime) / 1000));
      byLatency = sizeByLatency(peak, serviceTime, workers, target);
    }
  }
  const latencyInstances = byLatency?.instances ?? 0;
  return {
    unit,
    capacity_per_unit: capacity,
    by_headroom: byHeadroom,
    by_latency: byLatency,
    latency_impossible: impossible,
    needed: Math.max(byHeadroom, latencyInstances),
    decided_by: latencyInstances > byHeadroom ? 'latency' : 'headroom',
  };
}
