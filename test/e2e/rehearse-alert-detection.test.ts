import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/private-redis.js';
import { startDemoPlatform, type DemoPlatform } from '../../src/demo/demo-platform.js';
import { startAlertmanager, type TestAlertmanager } from '../helpers/alertmanager.js';
import { spawnCli } from '../helpers/cli-process.js';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus.js';

/**
 * `detection.alert` end to end, nothing played by the test: real Prometheus scrapes the demo's
 * /metrics and evaluates a latency rule; real Alertmanager groups the alert and delivers it, with
 * a Bearer token, to the receiver the rehearsal runs; the rehearsal's TTD is that notification's
 * arrival. A second rule fires all along, before the fault: heard, recorded, never a detection.
 */

const ADMIN_TOKEN = 'alert-rehearsal-admin';
const ALERT_TOKEN = 'alert-rehearsal-hook-token';
const dir = mkdtempSync(join(tmpdir(), 'la-alert-detection-'));
let demo: DemoPlatform | undefined;
let alertmanager: TestAlertmanager | undefined;
let prometheus: TestPrometheus | undefined;
let receiverPort = 0;

// p99 of what the gateway answered for room info, over the last 5 s of 1 s scrapes.
const ROOM_INFO_P99 = 'histogram_quantile(0.99, sum by (le) (rate(live_assure_demo_request_duration_seconds_bucket{service="gateway",route="room-info"}[5s])))';

beforeAll(async () => {
  demo = await startDemoPlatform({ port: 0, adminToken: ADMIN_TOKEN });
  receiverPort = await freePort();
  alertmanager = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${receiverPort}/webhook`, token: ALERT_TOKEN, groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' });
  prometheus = await startPrometheus({
    scrapeTarget: new URL(demo.gatewayUrl).host,
    alertmanager: new URL(alertmanager.url).host,
    rules: [
      { alert: 'RoomInfoLatencyHigh', expr: `${ROOM_INFO_P99} > 0.1`, labels: { service: 'room-svc', severity: 'page' }, annotations: { summary: 'room info p99 over 100ms' } },
      { alert: 'DemoScraped', expr: 'up{job="demo"} == 1', labels: { service: 'gateway' } },
    ],
  });
  await prometheus.scraped();
}, 30_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

function sopText(port: number): string {
  return `id: room-info-latency-alert
title: Room info latency, detected by the on-call alert
owners: [test]
links:
  alerts:
    - matchers: { alertname: RoomInfoLatencyHigh, service: room-svc }
load: { url: "/room/info?room_id=7", rate: 40/s }
trigger:
  demo_fault: { target: store, latency_ms: 150 }
detection:
  within: 20s
  alert: { listen: "127.0.0.1:${port}", token_env: ALERT_HOOK_TOKEN }
mitigation:
  - name: serve room info from the local cache
    http:
      PUT: /admin/flags/room-info-local-cache
      headers: { authorization: "Bearer \${env:LIVE_ASSURE_ADMIN_TOKEN}" }
      json: { on: true }
      expect: { status: 200 }
    undo:
      http:
        PUT: /admin/flags/room-info-local-cache
        headers: { authorization: "Bearer \${env:LIVE_ASSURE_ADMIN_TOKEN}" }
        json: { on: false }
        expect: { status: 200 }
verification:
  baseline: { window: 3s, hypotheses: [load.p99<100ms] }
  degraded: { settle: 1s, window: 2s, hypotheses: [load.p99<100ms] }
  recovered: { settle: 1s, window: 4s, hypotheses: [load.p99<100ms] }
abort: { max_duration: 2m }
`;
}

interface Recorded {
  type: string;
  change?: string;
  alertname?: string;
  matches?: boolean;
  t_ms?: number;
  milestone?: string;
  time?: number;
}

describe('rehearse with detection.alert, behind real Prometheus and Alertmanager', { timeout: 60_000 }, () => {
  it('is detected by the alert Alertmanager delivers after the injection, and records every alert heard', async () => {
    const sop = join(dir, 'room-info-latency-alert.yaml');
    writeFileSync(sop, sopText(receiverPort));
    const out = join(dir, 'run');
    const run = spawnCli(['rehearse', sop, '--target', demo?.gatewayUrl ?? '', '--out', out, '--no-tui'], {
      env: { LIVE_ASSURE_ADMIN_TOKEN: ADMIN_TOKEN, ALERT_HOOK_TOKEN: ALERT_TOKEN },
      timeoutMs: 55_000,
    });
    const result = await run.done;
    const explain = `${result.stdout}\n${result.stderr}\nalertmanager:\n${alertmanager?.output() ?? ''}\nprometheus:\n${prometheus?.output() ?? ''}`;
    expect(result.code, explain).toBe(0);
    expect(result.stdout).toMatch(/✓ detection alert \{alertname="RoomInfoLatencyHigh", service="room-svc"\} within 20s: detected after [\d.]+s: RoomInfoLatencyHigh \{service="room-svc", severity="page"\} firing, notified at http:\/\/127\.0\.0\.1:\d+\/webhook/);
    expect(result.stdout).toMatch(/alert firing RoomInfoLatencyHigh \{[^}]*\} \(matches the detection\)/);
    expect(result.stdout + result.stderr).not.toContain(ALERT_TOKEN);

    const events = readFileSync(join(out, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Recorded);
    const alerts = events.filter((event) => event.type === 'rehearsal-alert');
    const injected = events.find((event) => event.type === 'rehearsal-milestone' && event.milestone === 'injected')?.time ?? Number.NaN;
    const detected = events.find((event) => event.type === 'rehearsal-milestone' && event.milestone === 'detected')?.time ?? Number.NaN;
    const detecting = alerts.find((event) => event.alertname === 'RoomInfoLatencyHigh' && event.change === 'firing');
    expect(detecting, JSON.stringify(alerts)).toMatchObject({ matches: true });
    // Detected at the notification's arrival, after the injection: the TTD is Alertmanager's path, not a guess.
    expect(detecting?.t_ms).toBe(detected);
    expect(detected).toBeGreaterThan(injected);
    // The rule that fired before the fault was heard first and did not count.
    const before = alerts.find((event) => event.alertname === 'DemoScraped');
    expect(before).toMatchObject({ change: 'firing', matches: false });
    expect(before?.t_ms ?? Number.POSITIVE_INFINITY).toBeLessThan(injected);
    // Prometheus resolves the latency alert once the fault is gone; Alertmanager says so before the rehearsal ends.
    expect(alerts.some((event) => event.alertname === 'RoomInfoLatencyHigh' && event.change === 'resolved'), JSON.stringify(alerts)).toBe(true);

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { status: string; timings: { ttd_ms: number } };
    expect(summary.status).toBe('passed');
    expect(Math.abs(summary.timings.ttd_ms - (detected - injected))).toBeLessThanOrEqual(1);
  });
});
