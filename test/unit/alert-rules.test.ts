import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/errors.js';
import { crossCheckRules, matchRule, parseAlertRules, runbookLink, type AlertRule, type LintSop } from '../../src/sops/alert-rules.js';

function parse(text: string): AlertRule[] {
  const result = parseAlertRules(text, 'rules.yaml', {});
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.rules.alerts;
}

function issues(text: string): string[] {
  const result = parseAlertRules(text, 'rules.yaml', {});
  return result.ok ? [] : result.issues.map(formatIssue);
}

const RULES = `groups:
  - name: room
    rules:
      - record: job:x:rate1m
        expr: rate(x[1m])
      - alert: RoomInfoLatencyHigh
        expr: p99 > 0.25
        for: 1m
        labels: { service: room-svc, priority: 1 }
        annotations:
          runbook_url: https://runbooks.example.com/sop/room-info
`;

describe('parseAlertRules', () => {
  it('reads alert rules with where they are, labels as text, recording rules counted', () => {
    const result = parseAlertRules(RULES, 'rules.yaml', {});
    expect(result).toMatchObject({ ok: true, rules: { records: 1, alerts: [{ alert: 'RoomInfoLatencyHigh', group: 'room', line: 6, col: 9, for: '1m', labels: { service: 'room-svc', priority: '1' }, runbookAt: { line: 11, col: 24 } }] } });
  });

  it('reads the groups of a prometheus-operator PrometheusRule', () => {
    const text = `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: { name: live }\nspec:\n${RULES.replace(/^/gm, '  ')}`;
    expect(parse(text).map((rule) => [rule.alert, rule.line])).toEqual([['RoomInfoLatencyHigh', 10]]);
  });

  it('takes an empty file as no rules, as Prometheus does', () => {
    expect(parseAlertRules('', 'rules.yaml', {})).toEqual({ ok: true, rules: { file: 'rules.yaml', alerts: [], records: 0 } });
  });

  it('locates every problem: unknown keys with a hint, bad durations, alert and record mixed, repeated groups', () => {
    expect(issues(RULES.replace('annotations:', 'anotations:').replace('for: 1m', 'for: 1 minute'))).toEqual([
      'rules.yaml:8:14 groups.0.rules.1.for: expected a Prometheus duration like "5m" or "1h30m"',
      'rules.yaml:10:9 groups.0.rules.1.anotations: unknown key "anotations" (did you mean "annotations"?)',
    ]);
    expect(issues(RULES.replace('      - record: job:x:rate1m\n', '      - record: job:x:rate1m\n        alert: Both\n'))).toEqual(['rules.yaml:4:9 groups.0.rules.0: give one of alert or record']);
    expect(issues(RULES.replace('        expr: rate(x[1m])\n', '        expr: rate(x[1m])\n        for: 5m\n'))).toEqual(['rules.yaml:6:9 groups.0.rules.0.for: a recording rule has no "for": only alerts wait']);
    expect(issues(`groups:\n  - { name: a, rules: [] }\n  - { name: a, rules: [] }\n`)).toEqual(['rules.yaml:3:13 groups.1.name: group "a" is repeated in the same file: Prometheus refuses it']);
    expect(issues('groups: [\n')[0]).toMatch(/^rules\.yaml:\d+:\d+ YAML: /);
  });
});

describe('matchRule', () => {
  const rule = { alert: 'RoomInfoLatencyHigh', labels: { service: 'room-svc', team: '{{ $labels.team }}' } };

  it('decides alertname and static labels now', () => {
    expect(matchRule(rule, { alertname: 'RoomInfoLatencyHigh', service: 'room-svc' })).toEqual({ kind: 'match' });
    expect(matchRule(rule, { alertname: 'RoomInfoLatencyHigh', service: 'gift-svc' })).toEqual({ kind: 'no', label: 'service' });
    expect(matchRule(rule, { alertname: 'Other' })).toEqual({ kind: 'no', label: 'alertname' });
  });

  it('cannot decide labels the series or a template bring, unless another matcher already rules the rule out', () => {
    expect(matchRule(rule, { alertname: 'RoomInfoLatencyHigh', instance: 'room-1', team: 'live' })).toEqual({ kind: 'undecided', labels: ['instance', 'team'] });
    expect(matchRule(rule, { instance: 'room-1', alertname: 'Other' })).toEqual({ kind: 'no', label: 'alertname' });
  });

  it('matches nothing with an empty matcher set, as the watch linker does', () => {
    expect(matchRule(rule, {}).kind).toBe('no');
  });
});

describe('runbookLink', () => {
  const link = (url: string) => (url.endsWith('/room-info') ? 'room-info' : undefined);
  it('tells an SOP link, a missing SOP, a template and another runbook apart', () => {
    expect(runbookLink({ annotations: {} }, link)).toEqual({ kind: 'none' });
    expect(runbookLink({ annotations: { runbook_url: 'https://x/sop/room-info' } }, link)).toEqual({ kind: 'sop', sop: 'room-info' });
    expect(runbookLink({ annotations: { runbook_url: 'https://x/sops/room-inf.yaml?plain=1' } }, link)).toEqual({ kind: 'missing', id: 'room-inf' });
    expect(runbookLink({ annotations: { runbook_url: 'https://x/sop/{{ $labels.service }}' } }, link)).toEqual({ kind: 'templated' });
    expect(runbookLink({ annotations: { runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubememoryovercommit' } }, link)).toEqual({ kind: 'other' });
  });
});

describe('crossCheckRules', () => {
  const sop = (id: string, ...alerts: Array<Record<string, string>>): LintSop => ({ id, file: `sops/${id}.yaml`, line: 1, col: 5, alerts: alerts.map((matchers, index) => ({ matchers, line: 10 + index, col: 17 })) });
  const rules = parse(`groups:
  - name: g
    rules:
      - { alert: RoomInfoLatencyHigh, expr: up, labels: { service: room-svc } }
      - { alert: DanmakuSlow, expr: up }
      - { alert: DiskFull, expr: up }
      - { alert: GiftErrors, expr: up, annotations: { runbook_url: "https://x/sop/gift-erors" } }
      - { alert: Linked, expr: up, annotations: { runbook_url: "https://x/sop/by-url" } }
`);
  const sops = [sop('room', { alertname: 'RoomInfoLatencyHigh', service: 'room-svc' }), sop('room-too', { alertname: 'RoomInfoLatencyHigh' }), sop('danmaku', { alertname: 'DanmakuSlow', service: 'danmaku-svc' }), sop('gift-errors', { alertname: 'GiftErorrs' }), sop('by-url'), sop('lonely')];
  const linkByRunbook = (url: string) => sops.find((candidate) => url.endsWith(`/${candidate.id}`))?.id;
  const findings = crossCheckRules(rules, sops, linkByRunbook);
  const kinds = findings.map((finding) => `${finding.level} ${finding.kind} ${finding.alert ?? finding.sop}`);

  it('finds each kind of gap once', () => {
    expect(kinds).toEqual([
      'warning alert-claimed-twice RoomInfoLatencyHigh',
      'error alert-without-sop DiskFull',
      'error runbook-missing-sop GiftErrors',
      'warning matchers-undecided danmaku',
      'error matchers-match-no-rule gift-errors',
      'warning sop-without-alert lonely',
    ]);
  });

  it('says what to do, with did-you-mean and the rule that may match', () => {
    const text = findings.map((finding) => `${finding.file}:${finding.line}:${finding.col} ${finding.message}`);
    expect(text).toContain('rules.yaml:7:68 alert GiftErrors: runbook_url points at SOP "gift-erors", and no SOP has that id (did you mean "gift-errors"?)');
    expect(text).toContain('sops/gift-errors.yaml:10:17 SOP gift-errors links.alerts.0 {alertname="GiftErorrs"} matches no alert rule (did you mean "GiftErrors"?)');
    expect(text.find((line) => line.includes('danmaku'))).toMatch(/may match DanmakuSlow \(rules\.yaml:5\): "service" is not set statically by the rule .* set labels\.service in the rule/);
  });
});
