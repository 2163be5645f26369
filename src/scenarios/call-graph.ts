import type { Call, Scenario } from './schema.js';

/**
 * Calls per second a call edge sends downstream, given the requests per second arriving upstream:
 * fan-out × (1 − cache hit), the synchronous part merged `batch` to one, the asynchronous part at its
 * flush rate — each flusher flushes every `flush_every` or when `batch` writes are buffered, whichever
 * comes first, and never more often than there are writes.
 */
function downstreamRate(call: Call, upstreamRate: number): number {
  const calls = upstreamRate * call.fanout * (1 - call.cache_hit);
  const asyncShare = call.async?.share ?? 0;
  const sync = (calls * (1 - asyncShare)) / call.batch;
  if (call.async === undefined || asyncShare === 0) return sync;
  const writes = calls * asyncShare;
  const timedFlushes = call.async.flushers / (call.async.flush_every / 1000);
  const flushes = Math.min(writes, Math.max(timedFlushes, writes / call.async.batch));
  return sync + flushes;
}

/** Services ordered so that every caller comes before the services it calls (the graph is acyclic once validated). */
export function servicesInCallOrder(scenario: Scenario): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const call of scenario.services[name]?.calls ?? []) visit(call.to);
    order.push(name);
  };
  for (const name of Object.keys(scenario.services)) visit(name);
  return order.reverse();
}

/** Requests per second reaching each service, from the endpoints' rates through the whole call graph. */
export function serviceRates(scenario: Scenario, endpointRates: ReadonlyMap<string, number>, order: readonly string[]): Map<string, number> {
  const rates = new Map<string, number>(order.map((name) => [name, 0]));
  const add = (service: string, rate: number): void => {
    rates.set(service, (rates.get(service) ?? 0) + rate);
  };
  for (const [endpoint, rate] of endpointRates) {
    for (const call of scenario.endpoints[endpoint]?.calls ?? []) add(call.to, downstreamRate(call, rate));
  }
  for (const name of order) {
    const inbound = rates.get(name) ?? 0;
    for (const call of scenario.services[name]?.calls ?? []) add(call.to, downstreamRate(call, inbound));
  }
  return rates;
}
