import { describe, expect, test } from 'vitest';
import { forecastScenario, type Plan } from '../../src/scenarios/forecast.js';
import { scenarioFile, scenarioFrom } from '../helpers/scenarios.js';

// Hand-computed from test/fixtures/scenarios/hand-computed.yaml (headroom 0.5: plan at half capacity).
const plan = forecastScenario(scenarioFile('test/fixtures/scenarios/hand-computed.yaml'));
const service = (name: string) => plan.services.find((candidate) => candidate.name === name);
const peakOf = (list: Plan['endpoints'], name: string) => list.find((peak) => peak.name === name);

describe('rates over the audience curve', () => {
  test('journeys: viewers × rate per viewer × surge, or a fixed rate', () => {
    // watch: 10 000 viewers at 10m × 0.1/s
    expect(peakOf(plan.journeys, 'watch')).toEqual({ name: 'watch', peak_qps: 1000, at_ms: 600_000 });
    // chat: at 15m 5 000 viewers × 0.01/s × 10 = 500/s beats 100/s at the audience peak
    expect(peakOf(plan.journeys, 'chat')).toEqual({ name: 'chat', peak_qps: 500, at_ms: 900_000 });
    expect(peakOf(plan.journeys, 'bot')?.peak_qps).toBe(20);
    expect(plan.peak_viewers).toBe(10_000);
    expect(plan.duration_ms).toBe(1_200_000);
  });

  test('endpoints sum every journey that calls them', () => {
    expect(peakOf(plan.endpoints, 'info')).toEqual({ name: 'info', peak_qps: 1020, at_ms: 600_000 });
    expect(peakOf(plan.endpoints, 'send')?.peak_qps).toBe(500);
  });
});

describe('the call graph', () => {
  test('fan-out × (1 − cache hit) ÷ batch', () => {
    // info 1020 × 3 × 0.5 ÷ 3
    expect(service('cache-redis')).toMatchObject({ peak_qps: 510, at_ms: 600_000 });
  });

  test('async writes reach the service at their flush rate', () => {
    // like 1000: 20% sync = 200, 800 async in batches of 100 = 8 flushes/s (above the 2/s timer floor)
    expect(service('counter')?.peak_qps).toBeCloseTo(208, 9);
  });

  test('service-to-service calls follow the inbound rate', () => {
    expect(service('chat-svc')).toMatchObject({ peak_qps: 500, at_ms: 900_000 });
    expect(service('store')).toMatchObject({ peak_qps: 1000, at_ms: 900_000 });
  });

  test('a service takes its peak where the sum of its callers peaks', () => {
    // at 10m: info 1020 + like 1000 + send 100; at 15m only 520 + 500 + 500
    expect(service('api')).toMatchObject({ peak_qps: 2120, at_ms: 600_000 });
  });
});

describe('sizing', () => {
  test('instances needed = ceil(peak ÷ (capacity × (1 − headroom))), split over fixed and elastic', () => {
    expect(service('api')).toMatchObject({
      needed: 5, // 2120 ÷ 500 = 4.24
      decided_by: 'headroom',
      have: { fixed: 2, elastic: 2, total: 4 },
      gap: 1,
      pool: 'short',
    });
    expect(service('chat-svc')).toMatchObject({ needed: 10, gap: 6, pool: 'short' });
    expect(service('store')).toMatchObject({ needed: 1, gap: 0, pool: 'fixed', unit: 'node' });
    expect(service('cache-redis')).toMatchObject({ needed: 2, gap: 0, pool: 'fixed' }); // 510 ÷ 350 = 1.46
  });

  test('hot key: the busiest room is the hot value plus its zipf share', () => {
    const H10 = 2.9289682539682538;
    const share = 0.5 + 0.5 * (1 / 3 / H10);
    // The bot's `/info?room=1` carries no {{room}}: only watch's 1000/s × 3 × 0.5 ÷ 3 = 500 is keyed.
    const keyQps = 500 * share;
    const others = (510 - keyQps) / 2;
    expect(plan.hot_keys).toHaveLength(1);
    const risk = plan.hot_keys[0];
    expect(risk).toMatchObject({ service: 'cache-redis', key: 'room', value: 3, severity: 'warning', node_capacity: 700 });
    expect(risk?.share).toBeCloseTo(share, 12);
    expect(risk?.node_qps).toBeCloseTo(keyQps + others, 9);
    expect(risk?.local_cache_hit_needed).toBeCloseTo(1 - (350 - others) / keyQps, 9);
    expect(risk?.local_cache_hit_needed).toBeCloseTo(0.1588, 4);
    expect(risk?.remedy).toMatch(/local hot-key cache tier in front of cache-redis for room 3 \(≥ 15\.9% hits on it\), or split the key/);
  });

  test('the verdict names every gap and risk', () => {
    expect(plan.verdict.holds).toBe(false);
    expect(plan.verdict.summary).toBe(
      'AT RISK: api short by 1 instance; chat-svc short by 6 instances; hot key room 3 on cache-redis',
    );
  });
});

describe('the bundled examples', () => {
  test('demo holds', () => {
    const demo = forecastScenario(scenarioFile('scenarios/demo.yaml'));
    expect(demo.verdict.holds).toBe(true);
  });

  test('s-final shows at least one capacity gap, one hot-key risk and one latency-sized service', () => {
    const final = forecastScenario(scenarioFile('scenarios/s-final.yaml'));
    expect(final.services.length).toBeGreaterThanOrEqual(15);
    expect(Object.keys(final.journeys).length).toBeGreaterThanOrEqual(10);
    expect(final.services.some((planned) => planned.gap > 0)).toBe(true);
    expect(final.hot_keys.length).toBeGreaterThanOrEqual(1);
    expect(final.services.some((planned) => planned.decided_by === 'latency')).toBe(true);
  });
});

describe('incomplete scenarios', () => {
  test('services no load reaches are named', () => {
    const partial = forecastScenario(
      scenarioFrom(`
name: partial
audience: { peak: 100, curve: [{ at: 0m, share: 1 }] }
journeys: { j: { per_viewer: 1/s, steps: [{ name: a, GET: /a }, { name: b, GET: /b }] } }
endpoints: { a: { calls: [{ to: used }] }, b: { calls: [{ to: spare, fanout: 0 }] } }
services:
  used: { per_instance_qps: 1000, instances: 1 }
  spare: { per_instance_qps: 1000, instances: 1 }
`),
    );
    expect(partial.idle_services).toEqual(['spare']);
    expect(partial.verdict.holds).toBe(true);
  });

  test('a scenario without services says there is nothing to size', () => {
    const bare = forecastScenario(
      scenarioFrom('name: bare\naudience: { peak: 1, curve: [{ at: 0m, share: 1 }] }\njourneys: { j: { rate: 1/s, steps: [{ name: a, GET: /a }] } }\n'),
    );
    expect(bare.verdict).toEqual({ holds: true, summary: 'NOTHING TO SIZE: the scenario declares no services (add `services` and `endpoints`)' });
  });
});

describe('edges of the model', () => {
  test('back-to-back surges of two journeys are not both counted at the hand-over', () => {
    const plan = forecastScenario(
      scenarioFrom(`
name: handover
audience: { peak: 1, curve: [{ at: 0m, share: 1 }, { at: 20m, share: 1 }] }
journeys:
  a: { rate: 100/s, surges: [{ at: 10m, for: 2m, x: 10 }], steps: [{ name: a, GET: /a }] }
  b: { rate: 100/s, surges: [{ at: 12m, for: 2m, x: 10 }], steps: [{ name: b, GET: /b }] }
endpoints: { a: { calls: [{ to: svc }] }, b: { calls: [{ to: svc }] } }
services: { svc: { per_instance_qps: 1000, instances: 10 } }
`),
    );
    expect(plan.services[0]).toMatchObject({ name: 'svc', peak_qps: 1100 });
  });

  test('a hot key is reported even when the cluster is also short, judged at the nodes it needs', () => {
    const plan = forecastScenario(
      scenarioFrom(`
name: short-and-hot
audience: { peak: 60_000, curve: [{ at: 0m, share: 1 }] }
keys: { room: { values: [1, 2], hot: [{ value: 7, share: 0.9 }] } }
journeys: { j: { per_viewer: 1/min, steps: [{ name: a, GET: "/a?room={{room}}" }] } }
endpoints: { a: { calls: [{ to: store }] } }
services: { store: { kind: redis, per_node_qps: 500, nodes: 1, keyed_by: room } }
`),
    );
    // 1000 QPS needs ceil(1000 / 300) = 4 nodes; even then room 7's node serves 900 + 100/4 = 925.
    expect(plan.services[0]).toMatchObject({ needed: 4, gap: 3 });
    expect(plan.hot_keys).toMatchObject([{ service: 'store', value: 7, nodes: 4, node_qps: 925, severity: 'overload' }]);
    expect(plan.hot_keys[0]?.remedy).toContain('(even with the 4 nodes it needs)');
    expect(plan.verdict.summary).toBe('AT RISK: store short by 3 nodes; hot key room 7 on store');
  });
});
