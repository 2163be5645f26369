import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { SHADOW, startDemo, type DemoUnderTest } from '../helpers/demo-client.js';

let demo: DemoUnderTest | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

// The exposition format's line grammar (text format 0.0.4), strictly: comments, then samples.
const METRIC = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(`^${METRIC}(?:\\{${LABEL}(?:,${LABEL})*\\})? (?:[+-]?Inf|NaN|-?[0-9.e+-]+)$`);
const COMMENT = new RegExp(`^# (?:HELP ${METRIC} .*|TYPE ${METRIC} (?:counter|gauge|histogram|summary|untyped))$`);

describe('/metrics', () => {
  it('is Prometheus text with request counts and latency histograms per route, service and traffic', async () => {
    demo = await startDemo();
    await demo.get('/room/info?room_id=1');
    await demo.get('/room/info?room_id=1', SHADOW);
    await demo.get('/room/info?room_id=1', SHADOW);
    await demo.post('/danmaku/send', { room_id: 1, uid: 1, msg: 'quote " and \\ backslash' });
    const answer = await demo.get('/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');

    const lines = answer.text.trimEnd().split('\n');
    for (const line of lines) expect(line, line).toMatch(line.startsWith('#') ? COMMENT : SAMPLE);

    const families = parsePrometheusTextFormat(answer.text);
    const requests = families.find((family) => family.name === 'live_assure_demo_requests_total');
    expect(requests?.type).toBe('COUNTER');
    const count = (labels: Record<string, string>) =>
      requests?.metrics.find((sample) => Object.entries(labels).every(([name, value]) => sample.labels?.[name] === value))?.value;
    expect(count({ service: 'room-svc', route: 'room-info', traffic: 'shadow', code: '200' })).toBe('2');
    expect(count({ service: 'room-svc', route: 'room-info', traffic: 'production', code: '200' })).toBe('1');
    expect(count({ service: 'gateway', route: 'room-info', traffic: 'shadow' })).toBe('2');
    expect(count({ service: 'danmaku-svc', route: 'danmaku-send', method: 'POST' })).toBe('1');

    // parse-prometheus-text-format folds labelled histograms into one, so they are read line by line.
    expect(families.find((family) => family.name === 'live_assure_demo_request_duration_seconds')?.type).toBe('HISTOGRAM');
    const series = '{service="room-svc",route="room-info",traffic="shadow"';
    const buckets = lines
      .filter((line) => line.startsWith(`live_assure_demo_request_duration_seconds_bucket${series},le=`))
      .map((line) => Number(line.split(' ')[1]));
    expect(buckets.length).toBeGreaterThan(5);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(lines).toContain(`live_assure_demo_request_duration_seconds_bucket${series},le="+Inf"} 2`);
    expect(lines).toContain(`live_assure_demo_request_duration_seconds_count${series}} 2`);
    expect(lines.some((line) => line.startsWith(`live_assure_demo_request_duration_seconds_sum${series}} `))).toBe(true);

    expect(families.find((family) => family.name === 'live_assure_demo_shadow_routing')?.metrics).toEqual([{ value: '1' }]);
  });

  it('shows switches and faults as gauges', async () => {
    demo = await startDemo();
    await demo.admin('PUT', '/admin/flags/gift-effects-off', { on: true });
    await demo.admin('PUT', '/admin/faults/store', { latency_ms: 1 });
    const families = parsePrometheusTextFormat((await demo.get('/metrics')).text);
    const flags = families.find((family) => family.name === 'live_assure_demo_flag_on')?.metrics;
    expect(flags).toContainEqual({ labels: { flag: 'gift-effects-off' }, value: '1' });
    expect(flags).toContainEqual({ labels: { flag: 'danmaku-rate-limit' }, value: '0' });
    expect(families.find((family) => family.name === 'live_assure_demo_fault_active')?.metrics).toContainEqual({ labels: { target: 'store' }, value: '1' });
  });
});
