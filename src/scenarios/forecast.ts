import { eventEndMs, forecastInstants, journeyRateAt, viewersAt } from './audience.js';
import { serviceRates, servicesInCallOrder } from './call-graph.js';
import { findHotKeyRisk, type HotKeyRisk } from './hot-keys.js';
import type { Scenario } from './schema.js';
import { serviceCapacity } from './service-capacity.js';
import { sizeService, type ServiceSizing } from './service-sizing.js';
import { stepPlaceholders } from './templates.js';

/** A rate's highest value over the event and when it happens (ms since the start). */
export interface Peak {
  name: string;
  peak_qps: number;
  at_ms: number;
}

export interface ServicePlan extends Peak, ServiceSizing {
  kind: Scenario['services'][string]['kind'];
  /** At the peak: the part of the load whose requests carry the key the service is sharded by. */
  keyed_qps: number;
  have: { fixed: number; elastic: number; total: number };
  /** Instances short even with the whole elastic pool: needed − (fixed + elastic), at least 0. */
  gap: number;
  /** Elastic instances the peak draws on. */
  elastic_used: number;
  pool: 'fixed' | 'elastic' | 'short';
  /** Load on the fixed pool at the peak, as a share of its full capacity. */
  fixed_utilization: number;
}

export interface Plan {
  scenario: string;
  headroom: number;
  peak_viewers: number;
  duration_ms: number;
  journeys: Peak[];
  endpoints: Peak[];
  services: ServicePlan[];
  hot_keys: HotKeyRisk[];
  /** Services no forecast load reaches (nothing calls them, or only with fan-out 0). */
  idle_services: string[];
  verdict: { holds: boolean; summary: string };
}

type ServicePeak = Peak & { keyed_qps: number };

/** Rates are sums of products: keep them free of float noise like 25599.999999999996 in the output. */
function tidy(qps: number): number {
  return Math.round(qps * 1e6) / 1e6;
}

function trackPeak<T extends Peak>(peaks: Map<string, T>, candidate: T): void {
  const current = peaks.get(candidate.name);
  if (current === undefined || candidate.peak_qps > current.peak_qps + 1e-9) peaks.set(candidate.name, candidate);
}

function planService(peak: ServicePeak, scenario: Scenario): ServicePlan {
  const service = scenario.services[peak.name];
  if (service === undefined) throw new RangeError(`unknown service ${peak.name}`);
  const sizing = sizeService(peak.name, peak.peak_qps, service, scenario);
  const { fixed, elastic } = serviceCapacity(service);
  const shortfall = Math.max(0, sizing.needed - (fixed + elastic));
  const elasticUsed = Math.min(elastic, Math.max(0, sizing.needed - fixed));
  return {
    ...peak,
    kind: service.kind,
    ...sizing,
    have: { fixed, elastic, total: fixed + elastic },
    gap: shortfall,
    elastic_used: elasticUsed,
    pool: shortfall > 0 || sizing.latency_impossible !== null ? 'short' : elasticUsed > 0 ? 'elastic' : 'fixed',
    fixed_utilization: fixed > 0 && sizing.capacity_per_unit > 0 ? peak.peak_qps / (fixed * sizing.capacity_per_unit) : 0,
  };
}

function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}

function summarize(services: readonly ServicePlan[], hotKeys: readonly HotKeyRisk[]): Plan['verdict'] {
  if (services.length === 0) {
    return { holds: true, summary: 'NOTHING TO SIZE: the scenario declares no services (add `services` and `endpoints`)' };
  }
  const elastic = services.filter((service) => service.pool === 'elastic').length;
  const note = elastic > 0 ? ` (${plural(elastic, 'service')} on the elastic pool: pre-scale before the peak)` : '';
  const problems = [
    ...services
      .filter((service) => service.pool === 'short')
      .map((service) => (service.gap > 0 ? `${service.name} short by ${plural(service.gap, service.unit)}` : `${service.name} cannot meet its latency budget`)),
    ...hotKeys.map((risk) => `hot key ${risk.key} ${risk.value} on ${risk.service}`),
  ];
  if (problems.length === 0) return { holds: true, summary: `HOLDS: every service has capacity at its forecast peak${note}` };
  return { holds: false, summary: `AT RISK: ${problems.join('; ')}${note}` };
}

/** The capacity forecast: rates over the audience curve, through the call graph, sized per service. Pure. */
export function forecastScenario(scenario: Scenario): Plan {
  const order = servicesInCallOrder(scenario);
  const shardKeys = new Set(Object.values(scenario.services).flatMap((service) => (service.keyed_by === undefined ? [] : [service.keyed_by])));
  const journeys = Object.entries(scenario.journeys).map(([name, journey]) => ({
    name,
    journey,
    steps: journey.steps.map((step) => ({ name: step.name, keys: new Set(stepPlaceholders(step).map((placeholder) => placeholder.name)) })),
  }));
  const journeyPeaks = new Map<string, Peak>();
  const endpointPeaks = new Map<string, Peak>();
  const servicePeaks = new Map<string, ServicePeak>(order.map((name) => [name, { name, peak_qps: 0, at_ms: 0, keyed_qps: 0 }]));
  let peakViewers = 0;

  for (const t of forecastInstants(scenario)) {
    peakViewers = Math.max(peakViewers, viewersAt(scenario, t));
    const endpointRates = new Map<string, number>();
    // Per shard key: the endpoint rates of the steps whose requests carry that key.
    const keyedRates = new Map<string, Map<string, number>>([...shardKeys].map((key) => [key, new Map()]));
    for (const { name, journey, steps } of journeys) {
      const rate = journeyRateAt(scenario, journey, t);
      trackPeak(journeyPeaks, { name, peak_qps: tidy(rate), at_ms: t });
      for (const step of steps) {
        endpointRates.set(step.name, (endpointRates.get(step.name) ?? 0) + rate);
        for (const [key, rates] of keyedRates) if (step.keys.has(key)) rates.set(step.name, (rates.get(step.name) ?? 0) + rate);
      }
    }
    for (const [name, rate] of endpointRates) trackPeak(endpointPeaks, { name, peak_qps: tidy(rate), at_ms: t });
    const keyedServiceRates = new Map([...keyedRates].map(([key, rates]) => [key, serviceRates(scenario, rates, order)]));
    for (const [name, rate] of serviceRates(scenario, endpointRates, order)) {
      const key = scenario.services[name]?.keyed_by;
      const keyed = key === undefined ? 0 : (keyedServiceRates.get(key)?.get(name) ?? 0);
      trackPeak(servicePeaks, { name, peak_qps: tidy(rate), at_ms: t, keyed_qps: tidy(keyed) });
    }
  }

  // Reported in the order the scenario declares them, which is how its authors think of the stack.
  const services = Object.keys(scenario.services).flatMap((name) => {
    const peak = servicePeaks.get(name);
    return peak === undefined ? [] : [planService(peak, scenario)];
  });
  const hotKeys = services.flatMap((planned) => {
    const service = scenario.services[planned.name];
    const risk = service === undefined ? null : findHotKeyRisk(planned.name, service, planned, scenario);
    return risk === null ? [] : [risk];
  });
  return {
    scenario: scenario.name,
    headroom: scenario.headroom,
    peak_viewers: tidy(peakViewers),
    duration_ms: eventEndMs(scenario),
    journeys: [...journeyPeaks.values()],
    endpoints: [...endpointPeaks.values()],
    services,
    hot_keys: hotKeys,
    idle_services: services.filter((planned) => planned.peak_qps === 0).map((planned) => planned.name),
    verdict: summarize(services, hotKeys),
  };
}
