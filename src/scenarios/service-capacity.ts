import type { Service } from './schema.js';

/** What a service has, in its own unit: http services scale by instances, redis and mysql by nodes. */
export interface ServiceCapacity {
  unit: 'instance' | 'node';
  /** QPS one unit serves at full load. */
  per_unit: number;
  fixed: number;
  elastic: number;
}

export function serviceCapacity(service: Service): ServiceCapacity {
  return service.kind === 'http'
    ? { unit: 'instance', per_unit: service.per_instance_qps ?? 0, fixed: service.instances ?? 0, elastic: service.elastic }
    : { unit: 'node', per_unit: service.per_node_qps ?? 0, fixed: service.nodes ?? 0, elastic: 0 };
}
