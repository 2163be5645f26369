import { busiestKey } from './key-distribution.js';
import type { Scenario, Service } from './schema.js';

/** One shard's exposure to its busiest key at the service's peak. */
export interface HotKeyRisk {
  service: string;
  key: string;
  value: string | number;
  /** Share of the service's traffic that carries the busiest value. */
  share: number;
  key_qps: number;
  /** The node holding the busiest key: that key plus its even share of the rest. */
  node_qps: number;
  node_capacity: number;
  /** `overload`: the node saturates; `warning`: it eats into the headroom. */
  severity: 'overload' | 'warning';
  /** Local cache hit ratio on the hot key that brings the node back within headroom. */
  local_cache_hit_needed: number;
  remedy: string;
}

/** The busiest shard of a keyed service, when its load goes past the headroom (null when it holds). */
export function findHotKeyRisk(name: string, service: Service, peak: number, scenario: Scenario): HotKeyRisk | null {
  if (service.keyed_by === undefined || peak <= 0) return null;
  const key = scenario.keys[service.keyed_by];
  const busiest = key === undefined ? undefined : busiestKey(key);
  const units = (service.kind === 'http' ? service.instances : service.nodes) ?? 0;
  const capacity = (service.kind === 'http' ? service.per_instance_qps : service.per_node_qps) ?? 0;
  if (busiest === undefined || units === 0 || capacity === 0) return null;

  const keyQps = peak * busiest.share;
  const others = (peak - keyQps) / units;
  const nodeQps = keyQps + others;
  const limit = capacity * (1 - scenario.headroom);
  // Only skew is a hot-key risk: a key no hotter than a fair node share, or nodes past headroom even
  // without it, is a plain shortage that the instance count already reports.
  if (nodeQps <= limit || busiest.share <= 1 / units || others >= limit) return null;
  // keyQps·(1 − h) + others ≤ limit  ⇒  h ≥ 1 − (limit − others) / keyQps
  const hitNeeded = 1 - (limit - others) / keyQps;
  const percent = Math.ceil(hitNeeded * 1000) / 10;
  const remedy = `put a local hot-key cache tier in front of ${name} for ${service.keyed_by} ${busiest.value} (≥ ${percent}% hits on it), or split the key`;
  return {
    service: name,
    key: service.keyed_by,
    value: busiest.value,
    share: busiest.share,
    key_qps: keyQps,
    node_qps: nodeQps,
    node_capacity: capacity,
    severity: nodeQps > capacity ? 'overload' : 'warning',
    local_cache_hit_needed: hitNeeded,
    remedy,
  };
}
