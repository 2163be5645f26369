import { z } from 'zod';
import { serviceRates, servicesInCallOrder } from '../scenarios/call-graph.js';
import { forecastScenario } from '../scenarios/forecast.js';
import type { Scenario } from '../scenarios/schema.js';
import type { CapacitySection, LoadSection } from './report-model.js';

/** The recorded load plan's rate: journey weights are the forecast peaks, `ratePerSecond` their scaled sum. */
const recordedRate = z.object({ ratePerSecond: z.number(), journeys: z.array(z.object({ name: z.string(), weight: z.number() })) }).loose();

/** The share of the forecast the run was sized at (level 1): its rate over the forecast's, as the engine built it. */
export function recordedScale(plan: unknown): number | undefined {
  const parsed = recordedRate.safeParse(plan);
  if (!parsed.success) return undefined;
  const total = parsed.data.journeys.reduce((sum, journey) => sum + journey.weight, 0);
  return total > 0 && parsed.data.ratePerSecond > 0 ? parsed.data.ratePerSecond / total : undefined;
}

/**
 * Forecast vs measured: what the forecast says each endpoint and service takes at the event's
 * peak, and what the load test stands for once its busiest 30 s is scaled back up. A test at
 * 1% that held 1% of the forecast peak "reached" 100%; the least reached endpoint is the level
 * the test validated.
 */
export function buildCapacitySection(load: LoadSection, scenario: Scenario, scale: number): CapacitySection {
  const plan = forecastScenario(scenario);
  const measured = new Map(load.endpoints.map((endpoint) => [endpoint.name, endpoint]));
  const endpoints = plan.endpoints.map((peak) => {
    const seen = measured.get(peak.name);
    // The busiest 30 s, not the busiest 5: a catch-up burst does not validate a level.
    const equivalent = (seen?.rate_sustained ?? 0) / scale;
    return {
      endpoint: peak.name,
      forecast_qps: peak.peak_qps,
      target_qps: peak.peak_qps * scale,
      measured_peak_qps: seen?.rate_sustained ?? 0,
      equivalent_qps: equivalent,
      reached: peak.peak_qps > 0 ? equivalent / peak.peak_qps : 0,
      p99_ms: seen?.latency_ms?.p99 ?? null,
    };
  });
  const equivalentRates = serviceRates(scenario, new Map(endpoints.map((row) => [row.endpoint, row.equivalent_qps])), servicesInCallOrder(scenario));
  const services = plan.services.map((service) => {
    const equivalent = equivalentRates.get(service.name) ?? 0;
    return {
      service: service.name,
      forecast_qps: service.peak_qps,
      needed: service.needed,
      have: service.have.total,
      unit: service.unit,
      pool: service.pool,
      gap: service.gap,
      equivalent_qps: equivalent,
      reached: service.peak_qps > 0 ? equivalent / service.peak_qps : 0,
    };
  });
  const reached = endpoints.filter((row) => row.forecast_qps > 0).map((row) => row.reached);
  return {
    scenario: scenario.name,
    load: load.id,
    scale,
    verdict: plan.verdict.summary,
    holds: plan.verdict.holds,
    endpoints,
    services,
    hot_keys: plan.hot_keys.map((risk) => `${risk.key} ${risk.value} on ${risk.service}`),
    validated_level: reached.length === 0 ? 0 : Math.min(...reached),
  };
}
