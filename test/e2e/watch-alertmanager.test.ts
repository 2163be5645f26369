import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type TestAlertmanager } from '../helpers/alertmanager.js';
import { spawnCli } from '../helpers/cli-process.js';

/**
 * `live-assure watch` fed by a real Alertmanager (Debian's prometheus-alertmanager): alerts are
 * POSTed to Alertmanager's own API as Prometheus would, and Alertmanager groups, delivers (with
 * Bearer credentials), repeats and resolves them on its own schedule. Nothing here is a hand-made
 * webhook payload: what watch records is what Alertmanager really sends.
 */

const TOKEN = 'am-hook-token';
const dir = mkdtempSync(join(tmpdir(), 'la-watch-am-'));
let alertmanager: TestAlertmanager | undefined;
let watch: ReturnType<typeof spawnCli> | undefined;
afterAll(async () => {
  watch?.kill('SIGKILL');
  await alertmanager?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Recorded {
  type: string;
  change?: string;
  alertname?: string;
  fingerprint?: string;
  labels?: Record<string, string>;
  sop?: string;
  by?: string;
  groupKey?: string;
  alerts?: number;
  repeats?: number;
}

function recorded(out: string): Recorded[] {
  const file = join(out, 'events.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Recorded);
}

/** Polls the run directory's event log until `done` holds; the failure says what was recorded. */
async function until(out: string, what: string, done: (events: Recorded[]) => boolean, timeoutMs = 10_000): Promise<Recorded[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = recorded(out);
    if (done(events)) return events;
    if (Date.now() > deadline) throw new Error(`watch never recorded ${what}; it recorded:\n${events.map((event) => JSON.stringify(event)).join('\n')}\nalertmanager:\n${alertmanager?.output() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const room = (instance: string) => ({ alertname: 'RoomInfoLatencyHigh', service: 'room-svc', instance });
const firingOf = (events: Recorded[], alertname: string) => events.filter((event) => event.type === 'alert' && event.change === 'firing' && event.alertname === alertname);

describe('live-assure watch behind a real Alertmanager', { timeout: 30_000 }, () => {
  it('records grouped firings linked to their SOP, flags the unlinked, ignores repeats, and sees the resolve', async () => {
    const out = join(dir, 'run');
    watch = spawnCli(['watch', '--sops', 'sops', '--listen', '127.0.0.1:0', '--token', TOKEN, '--out', out, '--json', '--no-tui'], { timeoutMs: 30_000 });
    for (let waited = 0; !watch.output().includes('"webhook"') && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const banner = JSON.parse(watch.output().split('\n').find((line) => line.includes('"webhook"')) ?? '{}') as { webhook?: string };
    expect(banner.webhook, watch.output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
    // repeat_interval 2s: Alertmanager re-sends the still-firing group while the test runs.
    alertmanager = await startAlertmanager({ webhookUrl: banner.webhook ?? '', token: TOKEN, groupBy: ['alertname'], groupWait: '1s', groupInterval: '1s', repeatInterval: '2s' });

    const annotations = { summary: 'room info p99 over 250ms' };
    await alertmanager.postAlerts([
      { labels: room('room-1'), annotations },
      { labels: room('room-2'), annotations },
      { labels: { alertname: 'DiskFull', instance: 'db-3' }, annotations: { summary: 'disk 95% full' } },
    ]);

    // Grouping: both room alerts arrive in one notification of the RoomInfoLatencyHigh group, each recorded once, linked by matchers.
    let events = await until(out, 'both grouped firings and the unlinked one', (now) => firingOf(now, 'RoomInfoLatencyHigh').length === 2 && firingOf(now, 'DiskFull').length === 1);
    const roomGroup = events.filter((event) => event.type === 'notification' && event.groupKey === '{}:{alertname="RoomInfoLatencyHigh"}');
    expect(roomGroup[0], JSON.stringify(events)).toMatchObject({ alerts: 2, repeats: 0 });
    const roomFirings = firingOf(events, 'RoomInfoLatencyHigh');
    expect(roomFirings.map((event) => event.labels?.['instance']).sort()).toEqual(['room-1', 'room-2']);
    expect(new Set(roomFirings.map((event) => event.fingerprint)).size).toBe(2);
    for (const event of roomFirings) expect(event).toMatchObject({ sop: 'room-info-storage-latency', by: 'matchers' });
    const [disk] = firingOf(events, 'DiskFull');
    expect(disk?.sop).toBeUndefined();

    // Alertmanager's repeat_interval re-send: a notification of repeats, and no second firing.
    events = await until(out, 'a re-sent notification', (now) => now.some((event) => event.type === 'notification' && event.groupKey === '{}:{alertname="RoomInfoLatencyHigh"}' && (event.repeats ?? 0) === 2));
    expect(firingOf(events, 'RoomInfoLatencyHigh')).toHaveLength(2);

    // Resolved, as Prometheus resolves: the same alert again with endsAt in the past.
    await alertmanager.postAlerts([{ labels: room('room-1'), annotations, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    events = await until(out, 'the resolve', (now) => now.some((event) => event.type === 'alert' && event.change === 'resolved'));
    const resolved = events.filter((event) => event.type === 'alert' && event.change === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ alertname: 'RoomInfoLatencyHigh', fingerprint: roomFirings.find((event) => event.labels?.['instance'] === 'room-1')?.fingerprint, sop: 'room-info-storage-latency' });

    watch.kill('SIGINT');
    const result = await watch.done;
    // Alertmanager sends labels sorted by name.
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/FIRING +RoomInfoLatencyHigh \{instance="room-1", service="room-svc"\} → SOP room-info-storage-latency \(by matchers\)/);
    expect(result.stderr).toMatch(/FIRING +DiskFull \{instance="db-3"\} → UNLINKED/);
    expect(result.stderr).toMatch(/RESOLVED +RoomInfoLatencyHigh \{instance="room-1", service="room-svc"\}/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { accepted: number; rejected: Record<string, number> };
    // Every notification Alertmanager sent carried the token: none was refused.
    expect(summary).toMatchObject({ kind: 'watch', firing: 3, refiring: 0, resolved: 1, sops_linked: ['room-info-storage-latency'], alerts_unlinked: ['DiskFull'], rejected: {} });
    expect(summary.accepted).toBeGreaterThanOrEqual(4);
  });
});
