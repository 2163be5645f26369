import { describe, expect, it } from 'vitest';
import { type LinkableSop, linkAlert } from '../../src/watch/alert-sop-links.js';

const giftSop: LinkableSop = {
  id: 'gift-rank-degrade',
  links: { alerts: [{ matchers: { alertname: 'GiftLatencyHigh', service: 'gift-svc' } }, { matchers: { alertname: 'GiftRankStale' } }], runbook: 'https://wiki.example.com/live/gift-rank' },
};
const danmakuSop: LinkableSop = { id: 'danmaku-shed', links: { alerts: [{ matchers: { alertname: 'DanmakuErrors' } }] } };
const catchAllSop: LinkableSop = { id: 'zz-catch-all', links: { alerts: [{ matchers: {} }] } };
const sops = [danmakuSop, giftSop, catchAllSop];

const alert = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({ labels, annotations });

describe('linkAlert', () => {
  it('links by matchers when every pair of one set equals the labels', () => {
    expect(linkAlert(alert({ alertname: 'GiftLatencyHigh', service: 'gift-svc', severity: 'page' }), sops)).toEqual({ sop: 'gift-rank-degrade', by: 'matchers', alsoMatching: [] });
    expect(linkAlert(alert({ alertname: 'GiftRankStale' }), sops)?.sop).toBe('gift-rank-degrade');
  });

  it('needs every pair of a set: one differing label is no match', () => {
    expect(linkAlert(alert({ alertname: 'GiftLatencyHigh', service: 'room-svc' }), sops)).toBeUndefined();
  });

  it('compares values exactly: matcher syntax in a value is not a regex', () => {
    const regexSop: LinkableSop = { id: 'regex', links: { alerts: [{ matchers: { alertname: 'Gift.*' } }] } };
    expect(linkAlert(alert({ alertname: 'GiftLatencyHigh' }), [regexSop])).toBeUndefined();
    expect(linkAlert(alert({ alertname: 'Gift.*' }), [regexSop])?.sop).toBe('regex');
  });

  it('never lets an empty matcher set claim every alert', () => {
    expect(linkAlert(alert({ alertname: 'Anything' }), [catchAllSop])).toBeUndefined();
  });

  it('picks the first by id when several SOPs match, and reports the others', () => {
    const second: LinkableSop = { id: 'a-gift-first', links: { alerts: [{ matchers: { service: 'gift-svc' } }] } };
    const labels = { alertname: 'GiftLatencyHigh', service: 'gift-svc' };
    const expected = { sop: 'a-gift-first', by: 'matchers', alsoMatching: ['gift-rank-degrade'] };
    expect(linkAlert(alert(labels), [giftSop, second])).toEqual(expected);
    expect(linkAlert(alert(labels), [second, giftSop])).toEqual(expected);
  });

  it.each([
    'https://runbooks.example.com/sop/danmaku-shed',
    'https://runbooks.example.com/sop/danmaku-shed/',
    'https://git.example.com/live/sops/danmaku-shed.yaml',
    'https://git.example.com/live/sops/danmaku-shed.yml?plain=1',
    'https://docs.example.com/runbooks/danmaku-shed.md#mitigation',
    'sops/danmaku-shed.yaml',
  ])('links by a runbook_url naming the SOP: %s', (url) => {
    expect(linkAlert(alert({ alertname: 'Unrelated' }, { runbook_url: url }), sops)).toEqual({ sop: 'danmaku-shed', by: 'runbook_url', alsoMatching: [] });
  });

  it('links by a runbook_url equal to the SOP\'s links.runbook', () => {
    expect(linkAlert(alert({ alertname: 'Unrelated' }, { runbook_url: 'https://wiki.example.com/live/gift-rank/' }), sops)?.sop).toBe('gift-rank-degrade');
  });

  it('does not link a runbook_url whose last segment only ends with the id', () => {
    expect(linkAlert(alert({}, { runbook_url: 'https://runbooks.example.com/sop/big-danmaku-shed' }), sops)).toBeUndefined();
    expect(linkAlert(alert({}, { runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubememoryovercommit' }), sops)).toBeUndefined();
    expect(linkAlert(alert({}, { runbook_url: '' }), sops)).toBeUndefined();
  });

  it('prefers matchers over runbook_url', () => {
    const found = linkAlert(alert({ alertname: 'GiftRankStale' }, { runbook_url: 'https://runbooks.example.com/sop/danmaku-shed' }), sops);
    expect(found).toEqual({ sop: 'gift-rank-degrade', by: 'matchers', alsoMatching: [] });
  });
});
