import { expect, test } from 'vitest';
import { formatIssue } from '../../src/errors.js';
import { parseScenario } from '../../src/scenarios/load-scenario.js';

/** The located problems of a scenario text, as the user reads them. */
function problems(text: string, env: Record<string, string> = {}): string[] {
  const result = parseScenario(text, 's.yaml', env);
  return result.ok ? [] : result.issues.map(formatIssue);
}

const base = (extra = '', journeys = 'j: { per_viewer: 1/min, steps: [{ name: a, GET: "/a?room={{room}}" }] }') => `name: t
audience: { peak: 1000, curve: [{ at: 0m, share: 1 }] }
keys: { room: { zipf: { n: 10, s: 1 } } }
journeys:
  ${journeys}
${extra}`;

test('schema errors and cross-reference errors come out together; a broken entry is still a known name', () => {
  expect(
    problems(
      base(`endpoints: { a: { calls: [{ to: svcc }] } }
services:
  svc: { per_instance_qps: 100, instances: 1 }
  store: { kind: redis, per_node_qps: 100, nodes: -1 }
load: { stages: [], thresholds: ["a.p99<1s"] }`),
    ),
  ).toEqual([
    's.yaml:6:33 endpoints.a.calls.0.to: unknown service "svcc" (did you mean "svc"?)',
    's.yaml:9:51 services.store.nodes: must be ≥ 0',
    's.yaml:10:17 load.stages: needs at least 1 item',
  ]);
});

test('every step needs an entry in endpoints once services are sized', () => {
  expect(problems(base('endpoints: {}\nservices: { svc: { per_instance_qps: 100, instances: 1 } }'))).toEqual([
    's.yaml:5:43 journeys.j.steps.0.name: step "a" has no entry in `endpoints`, so its load would be missing from the forecast (write "a: { calls: [] }" if it costs nothing downstream)',
  ]);
});

test('numbers written with units or suffixes say how to write them', () => {
  const text = base('services: { svc: { per_instance_qps: 10k, service_time_ms: 12ms, instances: 1 } }\nendpoints: { a: { calls: [] } }\nheadroom: 40');
  expect(problems(text)).toEqual([
    's.yaml:6:38 services.svc.per_instance_qps: expected a number, got "10k": write 10_000',
    's.yaml:6:60 services.svc.service_time_ms: expected a number, got "12ms": write 12 (the field\'s name gives the unit)',
    's.yaml:8:11 headroom: must be below 1 (write 0.4 or 40%)',
  ]);
});

test('a per-viewer rate that can only be a unit slip is caught', () => {
  expect(problems(base('', 'j: { per_viewer: 120/s, steps: [{ name: a, GET: /a }] }'))).toEqual([
    's.yaml:5:20 journeys.j.per_viewer: every viewer starting this journey 7200 times a minute is not plausible: did you mean a rate per minute?',
  ]);
});

test('a clipped key name still gets a hint', () => {
  expect(problems(base('slo: { p99: 200 }'))).toEqual(['s.yaml:6:8 slo.p99: unknown key "p99" (did you mean "p99_ms"?)']);
});

test('environment references: substituted, defaulted, missing or malformed', () => {
  const headers = (value: string) =>
    base('', `j: { per_viewer: 1/min, steps: [{ name: a, GET: /a, headers: { authorization: "${value}" } }] }`);
  expect(problems(headers('Bearer ${env:TOKEN}'), { TOKEN: 'x' })).toEqual([]);
  expect(problems(headers('Bearer ${env:TOKEN:-none}'))).toEqual([]);
  expect(problems(headers('Bearer ${env:TOKEN'))).toEqual([
    's.yaml:5:81 journeys.j.steps.0.headers.authorization: malformed ${env:…}: write ${env:NAME} or ${env:NAME:-default}',
  ]);
});

test('YAML merge keys share defaults between services', () => {
  const result = parseScenario(
    base(`endpoints: { a: { calls: [{ to: svc }, { to: svc2 }] } }
services:
  svc: &defaults { per_instance_qps: 100, instances: 2 }
  svc2: { <<: *defaults, elastic: 1 }`),
    's.yaml',
    {},
  );
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  expect(result.scenario.services.svc2).toMatchObject({ per_instance_qps: 100, instances: 2, elastic: 1 });
});

test('absurd magnitudes are refused before they reach the arithmetic', () => {
  expect(problems(base('endpoints: { a: { calls: [{ to: svc, fanout: 1e300 }] } }\nservices: { svc: { per_instance_qps: 1e13, instances: 1 } }'))).toEqual([
    's.yaml:6:46 endpoints.a.calls.0.fanout: must be ≤ 1,000,000',
    's.yaml:7:38 services.svc.per_instance_qps: must be ≤ 1,000,000,000,000',
  ]);
});
