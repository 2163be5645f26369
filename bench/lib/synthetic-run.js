import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import hdr from 'hdr-histogram-js';

/**
 * A loadtest run directory as the engine writes it, made up: `seconds` × `endpoints` interval
 * lines with real HDR histograms (a pool of shapes, a slow spell in the middle, a few errors),
 * the events and summary of a finished run. For the report bench, not for tests of the engine.
 */

function histogramPool(size, seed) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pool = [];
  for (let i = 0; i < size; i += 1) {
    const histogram = hdr.build({ numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000 });
    const slow = i % 10 === 0 ? 20 : 1;
    const count = 50 + Math.floor(random() * 150);
    for (let n = 0; n < count; n += 1) histogram.recordValue(Math.max(1, Math.round(slow * 2000 * Math.exp(random() * 2.5))));
    pool.push({ count, latency_us: hdr.encodeIntoCompressedBase64(histogram) });
  }
  return pool;
}

export function writeSyntheticRun(dir, { seconds, endpoints, name = 'synthetic' }) {
  mkdirSync(dir, { recursive: true });
  const names = Array.from({ length: endpoints }, (_, i) => `endpoint-${String(i + 1).padStart(2, '0')}`);
  const pool = histogramPool(400, 7);
  const lines = [];
  let requests = 0;
  let errors = 0;
  for (let second = 0; second < seconds; second += 1) {
    for (let e = 0; e < endpoints; e += 1) {
      const shape = pool[(second * 31 + e * 17) % pool.length];
      const failed = second % 97 === 0 && e === 0 ? 3 : 0;
      requests += shape.count;
      errors += failed;
      lines.push(JSON.stringify({ second, endpoint: names[e], count: shape.count, statuses: failed > 0 ? { '2xx': shape.count - failed, '5xx': failed } : { '2xx': shape.count }, errors: failed > 0 ? { status: failed } : {}, latency_us: shape.latency_us }));
    }
  }
  writeFileSync(join(dir, 'intervals.ndjson'), `${lines.join('\n')}\n`);
  const start = Date.parse('2026-12-31T15:00:00Z');
  const at = (s) => new Date(start + s * 1000).toISOString();
  const latency = { p50: 5, p90: 20, p99: 80, p999: 200, max: 900 };
  const events = [
    { type: 'started', at: at(0), run: { name, target: 'http://127.0.0.1:8080', durationMs: seconds * 1000, scheduledArrivals: requests, peakRate: requests / seconds, workers: 2, endpoints: names, thresholds: ['endpoint-01.p99<200ms', 'errors.rate<1%'], abort: [] } },
    { type: 'threshold', expr: 'endpoint-01.p99<200ms', value: 80, pass: true, at: at(1) },
    { type: 'threshold', expr: 'endpoint-01.p99<200ms', value: 260, pass: false, at: at(Math.floor(seconds / 2)) },
    { type: 'threshold', expr: 'endpoint-01.p99<200ms', value: 150, pass: true, at: at(Math.floor(seconds / 2) + 60) },
    { type: 'finished', at: at(seconds), verdict: 'pass' },
  ];
  writeFileSync(join(dir, 'events.ndjson'), `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  const summary = {
    name, target: 'http://127.0.0.1:8080', started_at: at(0), ended_at: at(seconds), duration_ms: seconds * 1000, stop_reason: 'completed',
    requests, responses: requests, errors, error_kinds: { status: errors }, statuses: {}, rate: { target: 1, achieved: 1 }, arrivals: { scheduled: requests, started: requests, dropped: 0 },
    latency_ms: latency, generator_lag_ms: { p50: 1, p99: 3, max: 9 }, generator: { kept_up: true, warnings: [] },
    endpoints: Object.fromEntries(names.map((endpoint) => [endpoint, { requests: 0, errors: 0, latency_ms: latency }])),
    thresholds: [{ expr: 'endpoint-01.p99<200ms', value: 150, pass: true }, { expr: 'errors.rate<1%', value: errors / requests, pass: true }], verdict: 'pass', partial: false,
  };
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const manifest = {
    kind: 'loadtest', tool: { name: 'live-assure', version: 'bench' }, invocation: { command: 'loadtest', args: [], options: {} },
    plan: { name, target: summary.target, journeyEndpoints: {} }, hash: 'sha256:synthetic', started_at: at(-2), ended_at: at(seconds), status: 'finished', verdict: 'pass', exit_code: 0,
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { lines: lines.length, requests };
}
