import { ErlangInputError, MAX_WORKERS, sizeInstancesForWait } from './erlang-c.js';
import type { LatencyBudget, Scenario, Service } from './schema.js';
import { serviceCapacity } from './service-capacity.js';

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

function latencyTarget(budget: LatencyBudget | undefined, source: string): LatencyTarget | undefined {
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
  const sizing = sizeInstancesForWait({ rate: peak, serviceMs: serviceTimeMs, waitMs, quantile: target.quantile, workers });
  return {
    instances: sizing.instances,
    workers,
    quantile: target.quantile,
    wait_budget_ms: waitMs,
    p_exceed: sizing.p_exceed,
    source: target.source,
  };
}

/** How many instances (or nodes) a service needs at its peak, and which rule decided. */
export function sizeService(name: string, peak: number, service: Service, scenario: Scenario): ServiceSizing {
  const { unit, per_unit: capacity } = serviceCapacity(service);
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
      // Little's law: concurrency = throughput × time in service; capped like `workers` itself.
      const workers = service.workers ?? Math.min(MAX_WORKERS, Math.max(1, Math.floor((capacity * serviceTime) / 1000)));
      try {
        byLatency = sizeByLatency(peak, serviceTime, workers, target);
      } catch (error) {
        // Only absurd magnitudes get here (beyond 10⁸ requests in service at once): say so, do not crash.
        if (!(error instanceof ErlangInputError)) throw error;
        impossible = `the latency rule cannot size ${Math.round(peak).toLocaleString('en-US')} QPS × ${serviceTime}ms: ${error.problem}`;
      }
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
