import { describe, expect, it } from 'vitest';
import { parseAlertmanagerPayload } from '../../src/watch/alertmanager-payload.js';

// As Alertmanager v0.32 sends it: notification_reason present, endsAt the zero time while firing.
const FIRING = `{
  "receiver": "live-assure",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": { "alertname": "GiftLatencyHigh", "service": "gift-svc", "severity": "page" },
      "annotations": { "summary": "gift p99 above 250ms", "runbook_url": "https://runbooks.example.com/sop/gift-rank-degrade" },
      "startsAt": "2026-03-01T12:00:03.123456789Z",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://prometheus:9090/graph?g0.expr=histogram_quantile%280.99%2C+gift%29&g0.tab=1",
      "fingerprint": "5ae2f2d8b8f3c1a0"
    }
  ],
  "groupLabels": { "alertname": "GiftLatencyHigh" },
  "commonLabels": { "alertname": "GiftLatencyHigh", "service": "gift-svc", "severity": "page" },
  "commonAnnotations": { "summary": "gift p99 above 250ms" },
  "externalURL": "http://alertmanager:9093",
  "version": "4",
  "groupKey": "{}/{severity=\\"page\\"}:{alertname=\\"GiftLatencyHigh\\"}",
  "truncatedAlerts": 0,
  "notification_reason": "first notification"
}`;

const firing = (): Record<string, unknown> => JSON.parse(FIRING);
const firingAlert = (): Record<string, unknown> => JSON.parse(FIRING).alerts[0];

describe('parseAlertmanagerPayload', () => {
  it('accepts a firing notification and keeps every field', () => {
    const result = parseAlertmanagerPayload(firing());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.payload.groupKey).toBe('{}/{severity="page"}:{alertname="GiftLatencyHigh"}');
    expect(result.payload.notification_reason).toBe('first notification');
    expect(result.payload.alerts[0]?.fingerprint).toBe('5ae2f2d8b8f3c1a0');
    expect(result.payload.alerts[0]?.endsAt).toBe('0001-01-01T00:00:00Z');
  });

  it('accepts a resolved notification with an offset time', () => {
    const json = firing();
    json.status = 'resolved';
    json.notification_reason = 'all alerts resolved';
    json.alerts = [{ ...firingAlert(), status: 'resolved', endsAt: '2026-03-01T20:04:11.5+08:00' }];
    const result = parseAlertmanagerPayload(json);
    expect(result.ok && result.payload.alerts[0]?.status).toBe('resolved');
  });

  it('tolerates fields newer Alertmanagers add (routeLabels) and older ones omit', () => {
    const json: Record<string, unknown> = { ...firing(), routeLabels: { severity: 'page' } };
    delete json.notification_reason;
    delete json.truncatedAlerts;
    const result = parseAlertmanagerPayload(json);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.payload.truncatedAlerts).toBe(0);
    expect(result.payload['routeLabels']).toEqual({ severity: 'page' });
  });

  it('keeps truncatedAlerts', () => {
    const result = parseAlertmanagerPayload({ ...firing(), truncatedAlerts: 7 });
    expect(result.ok && result.payload.truncatedAlerts).toBe(7);
  });

  it('names the field of a malformed alert', () => {
    const json = firing();
    json.alerts = [{ ...firingAlert(), fingerprint: 42 }];
    expect(parseAlertmanagerPayload(json)).toEqual({ ok: false, error: 'alerts.0.fingerprint: expected a string' });
  });

  it('says a missing field is required', () => {
    const json = firing();
    delete json.groupKey;
    expect(parseAlertmanagerPayload(json)).toEqual({ ok: false, error: 'groupKey: required (expected a string)' });
  });

  it('rejects a status other than firing or resolved', () => {
    const json = firing();
    json.alerts = [{ ...firingAlert(), status: 'pending' }];
    const result = parseAlertmanagerPayload(json);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/^alerts\.0\.status: expected one of "firing"\|"resolved"$/);
  });

  it('rejects a wrong label value, and counts further problems on the same line', () => {
    const json = firing();
    json.alerts = [{ ...firingAlert(), startsAt: 'yesterday', labels: { severity: 3 } }];
    const result = parseAlertmanagerPayload(json);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBe('alerts.0.labels.severity: expected a string (and 1 more problem)');
    expect(result.error).not.toContain('\n');
  });

  it('rejects a time that is not RFC 3339', () => {
    const json = firing();
    json.alerts = [{ ...firingAlert(), endsAt: '2026-03-01 12:00' }];
    expect(parseAlertmanagerPayload(json)).toEqual({ ok: false, error: 'alerts.0.endsAt: expected an RFC 3339 time' });
  });

  it('says which versions are understood', () => {
    expect(parseAlertmanagerPayload({ ...firing(), version: '3' })).toEqual({
      ok: false,
      error: 'version: "3" is not understood; live-assure understands Alertmanager webhook payload version "4"',
    });
  });

  it('requires the version', () => {
    const json = firing();
    delete json.version;
    const result = parseAlertmanagerPayload(json);
    expect(!result.ok && result.error).toMatch(/^version: /);
  });

  it('rejects something that is not an object', () => {
    expect(parseAlertmanagerPayload([])).toEqual({ ok: false, error: 'expected a JSON object (an Alertmanager webhook payload)' });
    expect(parseAlertmanagerPayload(null).ok).toBe(false);
  });
});
