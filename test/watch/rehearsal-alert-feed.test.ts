import { afterEach, describe, expect, it } from 'vitest';
import { firstAlertAfter, whyNoAlert } from '../../src/sops/alert-feed.js';
import { startAlertFeed, type RunningAlertFeed } from '../../src/watch/rehearsal-alert-feed.js';

/**
 * The receiver a rehearsal with `detection.alert` runs (watch's receiver, intake and linking), and
 * what counts as the detection: a matching alert that fires in a notification after the injection.
 * Webhooks are posted over loopback; time is a hand-moved clock.
 */

let clock = 0;
const feeds: RunningAlertFeed[] = [];
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.close()));
  clock = 0;
});

async function feed(token?: string): Promise<RunningAlertFeed> {
  const started = await startAlertFeed({ host: '127.0.0.1', port: 0, sopId: 'room-info-storage-latency', matcherSets: [{ alertname: 'RoomInfoLatencyHigh', service: 'room-svc' }], now: () => clock, ...(token === undefined ? {} : { token }) });
  feeds.push(started);
  return started;
}

function alert(status: 'firing' | 'resolved', labels: Record<string, string>, fingerprint: string, annotations: Record<string, string> = {}) {
  return { status, labels, annotations, startsAt: '2026-11-22T02:00:00Z', endsAt: status === 'resolved' ? '2026-11-22T02:05:00Z' : '0001-01-01T00:00:00Z', generatorURL: '', fingerprint };
}

async function notify(url: string, alerts: unknown[], token?: string): Promise<number> {
  const body = { version: '4', groupKey: '{}:{alertname="x"}', truncatedAlerts: 0, status: 'firing', receiver: 'r', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am', alerts };
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) }, body: JSON.stringify(body) });
  return response.status;
}

const ROOM = { alertname: 'RoomInfoLatencyHigh', service: 'room-svc', instance: 'a' };
const never = new AbortController().signal;

describe('the rehearsal alert feed', () => {
  it('detects with the first matching firing heard after the injection, at its arrival', async () => {
    const hook = await feed();
    clock = 1000;
    const waiting = firstAlertAfter(hook, 500, 10_000, () => clock, never);
    expect(await notify(hook.url, [alert('firing', { alertname: 'DiskFull' }, 'd1'), alert('firing', ROOM, 'r1')])).toBe(200);
    const detected = await waiting;
    expect(detected).toMatchObject({ at: 1000, change: 'firing', alertname: 'RoomInfoLatencyHigh', fingerprint: 'r1', matches: true });
    expect(hook.heard().map((heard) => [heard.alertname, heard.matches])).toEqual([['DiskFull', false], ['RoomInfoLatencyHigh', true]]);
  });

  it('does not count an alert already firing before the injection when Alertmanager repeats it, and says why', async () => {
    const hook = await feed();
    clock = 100;
    await notify(hook.url, [alert('firing', ROOM, 'r1')]);
    clock = 600;
    // The repeat after the injection is no change: nothing detects the fault.
    await notify(hook.url, [alert('firing', ROOM, 'r1')]);
    const found = await firstAlertAfter(hook, 500, 0, () => clock, never);
    expect(found).toBeUndefined();
    expect(whyNoAlert(hook, 500)).toBe(`2 notifications at ${hook.url}; RoomInfoLatencyHigh already firing before the fault (a repeat is not a detection)`);
    // Once it resolved, a new firing after the injection is a detection again.
    await notify(hook.url, [alert('resolved', ROOM, 'r1')]);
    await notify(hook.url, [alert('firing', ROOM, 'r1')]);
    expect(await firstAlertAfter(hook, 500, 0, () => clock, never)).toMatchObject({ change: 'refiring', at: 600 });
  });

  it('matches by labels only: a runbook_url naming the SOP, a resolved alert or a partial label set is not the detection', async () => {
    const hook = await feed();
    clock = 1000;
    await notify(hook.url, [
      alert('firing', { alertname: 'Other' }, 'o1', { runbook_url: 'https://runbooks/sops/room-info-storage-latency' }),
      alert('firing', { alertname: 'RoomInfoLatencyHigh', service: 'gift-svc' }, 'g1'),
      alert('resolved', ROOM, 'r1'),
    ]);
    expect(hook.heard().map((heard) => heard.matches)).toEqual([false, false, true]);
    expect(await firstAlertAfter(hook, 0, 1000, () => clock, never)).toBeUndefined();
    expect(whyNoAlert(hook, 0)).toBe(`1 notification at ${hook.url}; other alerts: Other, RoomInfoLatencyHigh`);
  });

  it('stops waiting at the deadline and on the signal', async () => {
    const hook = await feed();
    const late = Date.now();
    expect(await firstAlertAfter(hook, 0, 50, () => 0, never)).toBeUndefined();
    expect(Date.now() - late).toBeGreaterThanOrEqual(40);
    const stop = new AbortController();
    const waiting = firstAlertAfter(hook, 0, 60_000, () => 0, stop.signal);
    stop.abort();
    expect(await waiting).toBeUndefined();
  });

  it('asks for the Bearer token, and says so when notifications were refused', async () => {
    const hook = await feed('hook-secret');
    expect(await notify(hook.url, [alert('firing', ROOM, 'r1')], 'wrong')).toBe(401);
    expect(await notify(hook.url, [alert('firing', ROOM, 'r1')])).toBe(401);
    expect(hook.heard()).toEqual([]);
    expect(whyNoAlert(hook, 0)).toBe(`0 notifications at ${hook.url}; refused: 2 unauthorized (check http_config.authorization against token_env)`);
    expect(await notify(hook.url, [alert('firing', ROOM, 'r1')], 'hook-secret')).toBe(200);
    expect(hook.heard()).toHaveLength(1);
  });

  it('tells each listener of every change, and a throwing listener does not fail the notification', async () => {
    const hook = await feed();
    const seen: string[] = [];
    const stop = hook.onAlert((heard) => seen.push(`${heard.change} ${heard.fingerprint}`));
    hook.onAlert(() => {
      throw new Error('a broken sink');
    });
    expect(await notify(hook.url, [alert('firing', ROOM, 'r1')])).toBe(200);
    stop();
    expect(await notify(hook.url, [alert('resolved', ROOM, 'r1')])).toBe(200);
    expect(seen).toEqual(['firing r1']);
    expect(hook.heard().map((heard) => heard.change)).toEqual(['firing', 'resolved']);
  });
});
