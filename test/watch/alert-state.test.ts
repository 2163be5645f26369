import { describe, expect, it } from 'vitest';
import { AlertBook } from '../../src/watch/alert-state.js';
import { type AlertmanagerPayload, parseAlertmanagerPayload } from '../../src/watch/alertmanager-payload.js';

const ZERO = '0001-01-01T00:00:00Z';

function alertJson(fingerprint: string, service: string, status: 'firing' | 'resolved', endsAt = ZERO): string {
  return `{
    "status": "${status}",
    "labels": { "alertname": "ServiceErrors", "service": "${service}", "severity": "page" },
    "annotations": { "summary": "${service} 5xx above 1%" },
    "startsAt": "2026-03-01T12:00:00Z",
    "endsAt": "${endsAt}",
    "generatorURL": "http://prometheus:9090/graph?g0.expr=errors",
    "fingerprint": "${fingerprint}"
  }`;
}

function payload(alerts: string[], { reason = 'first notification', truncated = 0 } = {}): AlertmanagerPayload {
  const text = `{
    "version": "4",
    "groupKey": "{}/{severity=\\"page\\"}:{alertname=\\"ServiceErrors\\"}",
    "truncatedAlerts": ${String(truncated)},
    "status": "${alerts.some((alert) => alert.includes('"firing"')) ? 'firing' : 'resolved'}",
    "receiver": "live-assure",
    "groupLabels": { "alertname": "ServiceErrors" },
    "commonLabels": { "alertname": "ServiceErrors", "severity": "page" },
    "commonAnnotations": {},
    "externalURL": "http://alertmanager:9093",
    "notification_reason": "${reason}",
    "alerts": [${alerts.join(',')}]
  }`;
  const result = parseAlertmanagerPayload(JSON.parse(text));
  if (!result.ok) throw new Error(result.error);
  return result.payload;
}

function manualClock(start = 1000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('AlertBook', () => {
  it('records a first firing with the injected clock time', () => {
    const clock = manualClock();
    const book = new AlertBook(clock.now);
    const outcome = book.record(payload([alertJson('aaa', 'gift-svc', 'firing')]));
    expect(outcome.changes.map((change) => [change.kind, change.alert.fingerprint, change.at])).toEqual([['firing', 'aaa', 1000]]);
    expect(outcome).toMatchObject({ repeats: 0, truncatedAlerts: 0 });
    expect(book.get('aaa')).toEqual({
      fingerprint: 'aaa',
      status: 'firing',
      labels: { alertname: 'ServiceErrors', service: 'gift-svc', severity: 'page' },
      firstFiringAt: 1000,
      lastFiringAt: 1000,
      resolvedAt: undefined,
      endsAt: undefined,
      firings: 1,
    });
  });

  it('takes three grouped alerts, each on its own', () => {
    const book = new AlertBook(manualClock().now);
    const outcome = book.record(payload([alertJson('aaa', 'gift-svc', 'firing'), alertJson('bbb', 'room-svc', 'firing'), alertJson('ccc', 'danmaku-svc', 'firing')]));
    expect(outcome.changes.map((change) => change.kind)).toEqual(['firing', 'firing', 'firing']);
    expect(book.firing().map((record) => record.fingerprint)).toEqual(['aaa', 'bbb', 'ccc']);
  });

  it('does not count repeated notifications (group_interval, repeat_interval) as changes', () => {
    const clock = manualClock();
    const book = new AlertBook(clock.now);
    book.record(payload([alertJson('aaa', 'gift-svc', 'firing')]));
    clock.advance(300_000);
    const repeat = book.record(payload([alertJson('aaa', 'gift-svc', 'firing'), alertJson('bbb', 'room-svc', 'firing')], { reason: 'new alerts added' }));
    expect(repeat.changes.map((change) => change.alert.fingerprint)).toEqual(['bbb']);
    expect(repeat.repeats).toBe(1);
    clock.advance(3_600_000);
    const again = book.record(payload([alertJson('aaa', 'gift-svc', 'firing'), alertJson('bbb', 'room-svc', 'firing')], { reason: 'repeat interval elapsed' }));
    expect(again).toEqual({ changes: [], repeats: 2, truncatedAlerts: 0 });
    expect(book.get('aaa')?.firstFiringAt).toBe(1000);
  });

  it('decides by status, never endsAt: a firing alert with a past endsAt stays firing', () => {
    const book = new AlertBook(manualClock().now);
    book.record(payload([alertJson('aaa', 'gift-svc', 'firing', '2026-03-01T12:05:00Z')]));
    expect(book.get('aaa')).toMatchObject({ status: 'firing', endsAt: undefined });
  });

  it('records the resolve time and endsAt, then a re-fire after resolve', () => {
    const clock = manualClock();
    const book = new AlertBook(clock.now);
    book.record(payload([alertJson('aaa', 'gift-svc', 'firing'), alertJson('bbb', 'room-svc', 'firing')]));
    clock.advance(90_000);
    const resolved = book.record(payload([alertJson('aaa', 'gift-svc', 'resolved', '2026-03-01T12:01:30Z'), alertJson('bbb', 'room-svc', 'firing')], { reason: 'some alerts resolved' }));
    expect(resolved.changes.map((change) => [change.kind, change.alert.fingerprint])).toEqual([['resolved', 'aaa']]);
    expect(book.get('aaa')).toMatchObject({ status: 'resolved', firstFiringAt: 1000, resolvedAt: 91_000, endsAt: '2026-03-01T12:01:30Z', firings: 1 });
    expect(book.firing().map((record) => record.fingerprint)).toEqual(['bbb']);

    clock.advance(10_000);
    expect(book.record(payload([alertJson('aaa', 'gift-svc', 'resolved', '2026-03-01T12:01:30Z')])).changes).toEqual([]);

    clock.advance(60_000);
    const refired = book.record(payload([alertJson('aaa', 'gift-svc', 'firing')]));
    expect(refired.changes.map((change) => change.kind)).toEqual(['refiring']);
    expect(book.get('aaa')).toMatchObject({ status: 'firing', firstFiringAt: 1000, lastFiringAt: 161_000, resolvedAt: 91_000, firings: 2 });
  });

  it('records an alert first heard resolved, without a firing time', () => {
    const book = new AlertBook(manualClock().now);
    const outcome = book.record(payload([alertJson('zzz', 'gift-svc', 'resolved', '2026-03-01T12:03:00Z')], { reason: 'all alerts resolved' }));
    expect(outcome.changes.map((change) => change.kind)).toEqual(['resolved']);
    expect(book.get('zzz')).toMatchObject({ firstFiringAt: undefined, resolvedAt: 1000, firings: 0 });
    expect(book.record(payload([alertJson('zzz', 'gift-svc', 'firing')])).changes.map((change) => change.kind)).toEqual(['firing']);
  });

  it('reports truncated alerts and infers nothing from their absence', () => {
    const book = new AlertBook(manualClock().now);
    book.record(payload([alertJson('aaa', 'gift-svc', 'firing'), alertJson('bbb', 'room-svc', 'firing')]));
    const outcome = book.record(payload([alertJson('bbb', 'room-svc', 'firing')], { truncated: 1, reason: 'new alerts added' }));
    expect(outcome).toEqual({ changes: [], repeats: 1, truncatedAlerts: 1 });
    expect(book.get('aaa')?.status).toBe('firing');
    expect(book.all()).toHaveLength(2);
  });

  it('treats the same fingerprint twice in one payload (two routes) as one change', () => {
    const book = new AlertBook(manualClock().now);
    const outcome = book.record(payload([alertJson('aaa', 'gift-svc', 'firing'), alertJson('aaa', 'gift-svc', 'firing')]));
    expect(outcome.changes).toHaveLength(1);
    expect(outcome.repeats).toBe(1);
  });
});
