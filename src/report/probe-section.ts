import type { Scenario } from '../scenarios/schema.js';
import { serviceCapacity } from '../scenarios/service-capacity.js';
import type { ProbeView } from './report-model.js';
import type { RunDirectory } from './run-directory.js';
import { probeSummaryFile } from './run-files.js';

/**
 * A `probe --out` sweep: the knee one instance reached under its SLO, set against what the
 * scenario assumes that service's instances serve (`per_instance_qps`) when the probe named it.
 */
export function buildProbeView(run: RunDirectory, scenarios: readonly Scenario[]): ProbeView | undefined {
  const parsed = probeSummaryFile.safeParse(run.summary);
  if (!parsed.success) return undefined;
  const probe = parsed.data;
  const service = probe.service === undefined ? undefined : scenarios.map((scenario) => scenario.services[probe.service ?? '']).find((found) => found !== undefined);
  const assumed = service === undefined ? undefined : serviceCapacity(service).per_unit;
  return {
    dir: run.dir,
    url: probe.url,
    method: probe.method,
    service: probe.service,
    slo_p99_ms: probe.slo.p99_ms,
    knee: probe.knee,
    suggested_per_instance_qps: probe.per_instance_qps,
    usl_peak: probe.usl?.peak ?? null,
    assumed_per_instance_qps: assumed,
    // The forecast sizes instances by what they are assumed to serve: more than the knee is optimism.
    assumption_holds: assumed === undefined || probe.knee === null ? undefined : probe.knee.throughput >= assumed,
  };
}
