import { junitXml, type JunitCase, type JunitSuite } from '../sops/junit-xml.js';
import { formatMs, formatPercent, formatThresholdValue } from './report-format.js';
import type { LoadSection, ReportModel } from './report-model.js';

const verdictCase = (classname: string, name: string, ok: boolean, message: string): JunitCase => ({ classname, name, seconds: 0, outcome: ok ? { kind: 'passed' } : { kind: 'failure', message } });

function loadSuite(load: LoadSection): JunitSuite {
  const cls = `${load.title}.loadtest`;
  const cases: JunitCase[] = load.thresholds.map((t) => verdictCase(`${cls}.thresholds`, t.expr, t.pass, `measured ${formatThresholdValue(t.expr, t.value)}, expected ${t.expr}`));
  for (const endpoint of load.endpoints) {
    if (endpoint.slo_p99_ok !== null) cases.push(verdictCase(`${cls}.slo`, `${endpoint.name} p99 ≤ ${load.slo?.p99_ms}ms`, endpoint.slo_p99_ok, `p99 ${formatMs(endpoint.latency_ms?.p99)} over ${endpoint.requests} requests`));
    if (endpoint.slo_errors_ok !== null) cases.push(verdictCase(`${cls}.slo`, `${endpoint.name} errors ≤ ${formatPercent(load.slo?.error_rate)}`, endpoint.slo_errors_ok, `error rate ${formatPercent(endpoint.error_rate)} over ${endpoint.requests} requests`));
  }
  if (load.isolation !== undefined) {
    const i = load.isolation;
    for (const [name, text] of [['preflight', i.preflight], ['sentinel', i.sentinel], ['audit', i.audit], ['cleanup', i.cleanup]] as const) {
      const ok = name === 'sentinel' ? i.sentinel_ok : !i.checks.some((check) => check.check === name && !check.ok);
      cases.push(verdictCase(`${cls}.isolation`, name, ok, text));
    }
    if (i.unisolated.length > 0) cases.push(verdictCase(`${cls}.isolation`, 'every write step isolated', false, `ran without proven isolation: ${i.unisolated.join(', ')}`));
  }
  if (load.verdict === 'aborted' || load.verdict === 'unknown') cases.push(verdictCase(cls, 'ran to the end', false, load.abort === undefined ? `the run ${load.verdict === 'aborted' ? 'was aborted' : 'never finished'}` : `aborted: ${load.abort}`));
  return { name: `loadtest ${load.title}`, timestamp: load.started_at, seconds: load.duration_s, properties: { runs: load.runs.join(', '), verdict: load.verdict, requests: load.totals.requests }, cases };
}

/** JUnit XML of the whole report: a suite per load test, per rehearsal, and one for alert/SOP coverage. */
export function renderJunit(model: ReportModel): string {
  const suites: JunitSuite[] = model.loads.map(loadSuite);
  for (const rehearsal of model.rehearsals) {
    const timings = Object.fromEntries(Object.entries(rehearsal.timings).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
    suites.push({
      name: rehearsal.sop.id,
      timestamp: rehearsal.started_at,
      seconds: rehearsal.duration_ms / 1000,
      properties: { status: rehearsal.status, ...(rehearsal.exit_code === undefined ? {} : { exit_code: rehearsal.exit_code }), run: rehearsal.dir, ...timings },
      cases: [
        ...(rehearsal.exit_code === undefined ? [verdictCase(`${rehearsal.sop.id}.rehearsal`, 'ran to the end', false, `the rehearsal never finished (no journal.json): ${rehearsal.dir}`)] : []),
        ...rehearsal.checks.map((check) => ({
        classname: `${rehearsal.sop.id}.${check.group}`,
        name: check.name,
        seconds: check.ms / 1000,
        outcome: check.result === 'passed' ? { kind: 'passed' as const } : check.result === 'skipped' ? { kind: 'skipped' as const, message: check.message } : { kind: check.result, message: check.message },
        })),
      ],
    });
  }
  if (model.probes.length > 0) {
    suites.push({
      name: 'probes',
      timestamp: model.generated_at,
      seconds: 0,
      properties: {},
      cases: model.probes.map((probe) =>
        verdictCase('capacity.probe', `${probe.service ?? probe.url}: knee${probe.assumed_per_instance_qps === undefined ? '' : ` ≥ per_instance_qps ${probe.assumed_per_instance_qps}`}`, probe.knee !== null && probe.assumption_holds !== false, probe.knee === null ? `no level met p99 ≤ ${probe.slo_p99_ms}ms` : `knee ${Math.round(probe.knee.throughput)} QPS at concurrency ${probe.knee.concurrency}`),
      ),
    });
  }
  const coverage = model.coverage;
  const days = Math.round(coverage.max_age_ms / 86_400_000);
  const cases: JunitCase[] = [
    ...coverage.alerts.map((alert) => verdictCase('coverage.alerts', `${alert.alertname} has an SOP`, alert.sop !== undefined, `alert ${alert.alertname} (${alert.fingerprint}) fired at ${alert.fired_at} and no SOP answers it`)),
    ...coverage.sops.map((sop) => verdictCase('coverage.sops', `${sop.id} rehearsed green within ${days}d`, sop.state === 'fresh', sop.state === 'never' ? 'no green rehearsal among the runs' : `last green rehearsal ${sop.last_green}`)),
  ];
  if (cases.length > 0) suites.push({ name: 'alerts and SOPs', timestamp: model.generated_at, seconds: 0, properties: { max_age_days: days }, cases });
  return junitXml(suites, 'live-assure report');
}
