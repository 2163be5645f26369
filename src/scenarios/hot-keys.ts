import { busiestKey } from './key-distribution.js';
import type { Scenario, Service } from './schema.js';
import { serviceCapacity } from './service-capacity.js';

/** One shard's exposure to its busiest key at the service's peak. */
export interface HotKeyRisk {
  service: string;
  key: string;
  value: string | number;
  /** Share of the keyed traffic that carries the busiest value. */
  share: number;
  key_qps: number;
  /** The node holding the busiest key: that key plus its even share of the rest. */
  node_qps: number;
  node_capacity: number;
  /** Nodes the check assumes: those the service has, or as many as it needs when it is short. */
  nodes: number;
  /** `overload`: the node saturates; `warning`: it eats into the headroom. */
  severity: 'overload' | 'warning';
  /** Local cache hit ratio on the hot key that brings the node back within headroom. */
  local_cache_hit_needed: number;
  remedy: string;
}

/** The service at its peak: all its load, the part whose requests carry its key, and the units it needs. */
export interface KeyedLoad {
  peak_qps: number;
  keyed_qps: number;
  needed: number;
}

/**
 * The busiest shard of a keyed service, when its load goes past the headroom (null when it holds).
 * Judged at max(nodes it has, nodes it needs): adding nodes never cools a hot key, so a shortage
 * must not hide one.
 */
export function findHotKeyRisk(name: string, service: Service, load: KeyedLoad, scenario: Scenario): HotKeyRisk | null {
  if (service.keyed_by === undefined || load.keyed_qps <= 0) return null;
  const key = scenario.keys[service.keyed_by];
  const busiest = key === undefined ? undefined : busiestKey(key);
  const capacity = serviceCapacity(service);
  const nodes = Math.max(capacity.fixed + capacity.elastic, load.needed);
  if (busiest === undefined || nodes === 0 || capacity.per_unit === 0) return null;

  const keyQps = load.keyed_qps * busiest.share;
  const others = (load.peak_qps - keyQps) / nodes;
  const nodeQps = keyQps + others;
  const limit = capacity.per_unit * (1 - scenario.headroom);
  if (nodeQps <= limit) return null;
  // keyQps·(1 − h) + others ≤ limit  ⇒  h ≥ 1 − (limit − others) / keyQps
  const hitNeeded = Math.min(1, Math.max(0, 1 - (limit - others) / keyQps));
  const percent = Math.ceil(hitNeeded * 1000) / 10;
  const withNodes = nodes > capacity.fixed + capacity.elastic ? ` (even with the ${nodes} ${capacity.unit}s it needs)` : '';
  return {
    service: name,
    key: service.keyed_by,
    value: busiest.value,
    share: busiest.share,
    key_qps: keyQps,
    node_qps: nodeQps,
    node_capacity: capacity.per_unit,
    nodes,
    severity: nodeQps > capacity.per_unit ? 'overload' : 'warning',
    local_cache_hit_needed: hitNeeded,
    remedy: `put a local hot-key cache tier in front of ${name} for ${service.keyed_by} ${busiest.value} (≥ ${percent}% hits on it)${withNodes}, or split the key`,
  };
}
