import { eventEndMs, forecastInstants, journeyRateAt, viewersAt } from './audience.js';
import { serviceRates, servicesInCallOrder } from './call-graph.js';
import { findHotKeyRisk, type HotKeyRisk } from './hot-keys.js';
import type { Scenario } from './schema.js';
import { sizeService, type ServiceSizing } from './service-sizing.js';

/** A rate's highest value over the event and when it happens (ms since the start). */
export interface Peak {
  name: string;
  peak_qps: number;
  at_ms: number;
}

export interface ServicePlan extends Peak, ServiceSizing {
  kind: Scenario['services'][string]['kind'];
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
  /** Endpoints that journeys call but the call graph does not describe: their downstream cost is unknown. */
  unmapped_endpoints: string[];
  /** Services no endpoint or service calls: they carry no forecast load. */
  idle_services: string[];
  verdict: { holds: boolean; summary: string };
}

function trackPeak(peaks: Map<string, Peak>, name: string, qps: number, at: number): void {
  const current = peaks.get(name);
  if (current === undefined || qps > current.peak_qps + 1e-9) peaks.set(name, { name, peak_qps: qps, at_ms: at });
}

function planService(peak: Peak, scenario: Scenario): ServicePlan {
  const service = scenario.services[peak.name];
  if (service === undefined) throw new RangeError(`unknown service ${peak.name}`);
  const sizing = sizeService(peak.name, peak.peak_qps, service, scenario);
  const fixed = (service.kind === 'http' ? service.instances : service.nodes) ?? 0;
  const total = fixed + service.elastic;
  const short = Math.max(0, sizing.needed - total);
  const elasticUsed = Math.min(service.elastic, Math.max(0, sizing.needed - fixed));
  return {
    ...peak,
    kind: service.kind,
    ...sizing,
    have: { fixed, elastic: service.elastic, total },
    gap: short,
    elastic_used: elasticUsed,
    pool: short > 0 || sizing.latency_impossible !== null ? 'short' : elasticUsed > 0 ? 'elastic' : 'fixed',
    fixed_utilization: fixed > 0 && sizing.capacity_per_unit > 0 ? peak.peak_qps / (fixed * sizing.capacity_per_unit) : 0,
  };
}

function summarize(services: readonly ServicePlan[], hotKeys: readonly HotKeyRisk[]): Plan['verdict'] {
  if (services.length === 0) {
    return { holds: true, summary: 'NOTHING TO SIZE: the scenario declares no services (add `services` and `endpoints`)' };
  }
  const short = services.filter((service) => service.pool === 'short');
  const problems = [
    ...short.map((service) => (service.gap > 0 ? `${service.name} short by ${service.gap} ${service.unit}${service.gap === 1 ? '' : 's'}` : `${service.name} cannot meet its latency budget`)),
    ...hotKeys.map((risk) => `hot key ${risk.key} ${risk.value} on ${risk.service}`),
  ];
  if (problems.length === 0) {
    const elastic = services.filter((service) => service.pool === 'elastic').length;
    const note = elastic > 0 ? ` (${elastic} service${elastic === 1 ? '' : 's'} on the elastic pool: pre-scale before the peak)` : '';
    return { holds: true, summary: `HOLDS: every service has capacity at its forecast peak${note}` };
  }
  return { holds: false, summary: `AT RISK: ${problems.join('; ')}` };
}

/** The capacity forecast: rates over the audience curve, through the call graph, sized per service. Pure. */
export function forecastScenario(scenario: Scenario): Plan {
  const order = servicesInCallOrder(scenario);
  const journeyPeaks = new Map<string, Peak>();
  const endpointPeaks = new Map<string, Peak>();
  const servicePeaks = new Map<string, Peak>(order.map((name) => [name, { name, peak_qps: 0, at_ms: 0 }]));
  let peakViewers = 0;

  for (const t of forecastInstants(scenario)) {
    peakViewers = Math.max(peakViewers, viewersAt(scenario, t));
    const endpointRates = new Map<string, number>();
    for (const [name, journey] of Object.entries(scenario.journeys)) {
      const rate = journeyRateAt(scenario, journey, t);
      trackPeak(journeyPeaks, name, rate, t);
      for (const step of journey.steps) endpointRates.set(step.name, (endpointRates.get(step.name) ?? 0) + rate);
    }
    for (const [name, rate] of endpointRates) trackPeak(endpointPeaks, name, rate, t);
    for (const [name, rate] of serviceRates(scenario, endpointRates, order)) trackPeak(servicePeaks, name, rate, t);
  }

  // Reported in the order the scenario declares them, which is how its authors think of the stack.
  const services = Object.keys(scenario.services).flatMap((name) => {
    const peak = servicePeaks.get(name);
    return peak === undefined ? [] : [planService(peak, scenario)];
  });
  const hotKeys = services.flatMap((planned) => {
    const service = scenario.services[planned.name];
    const risk = service === undefined ? null : findHotKeyRisk(planned.name, service, planned.peak_qps, scenario);
    return risk === null ? [] : [risk];
  });
  return {
    scenario: scenario.name,
    headroom: scenario.headroom,
    peak_viewers: peakViewers,
    duration_ms: eventEndMs(scenario),
    journeys: [...journeyPeaks.values()],
    endpoints: [...endpointPeaks.values()],
    services,
    hot_keys: hotKeys,
    unmapped_endpoints: [...endpointPeaks.keys()].filter((name) => scenario.endpoints[name] === undefined),
    idle_services: services.filter((planned) => planned.peak_qps === 0).map((planned) => planned.name),
    verdict: summarize(services, hotKeys),
  };
}
