import { describe, expect, it } from 'vitest';
import type { KeptSample } from '../../src/sops/load-recorder.js';
import { judgeContent, type ContentCheck } from '../../src/sops/content-verdict.js';

const check: ContentCheck = { share: 0.95, of: 'room-info', header: { 'X-Degraded': 'room-info-local-cache' } };
const sample = (headers: Record<string, string>, status: number | null = 200, found: string[] = []): KeptSample => ({ status, headers, found });

describe('a content hypothesis over sampled responses', () => {
  it('passes when the share of responses carrying the header meets the bound (names in any case, values in a list)', () => {
    const samples = [...Array.from({ length: 19 }, () => sample({ 'x-degraded': 'room-info-local-cache' })), sample({ 'x-degraded': 'other, room-info-local-cache' })];
    expect(judgeContent(check, samples, 'window 1s–2s')).toMatchObject({ pass: true, measured: 1, bound: 0.95 });
  });

  it('fails below the share, and says measured vs expected and where', () => {
    const samples = [...Array.from({ length: 9 }, () => sample({ 'x-degraded': 'room-info-local-cache' })), sample({})];
    const verdict = judgeContent(check, samples, 'window 4s–14s of the load');
    expect(verdict.pass).toBe(false);
    expect(verdict.detail).toBe('9 of 10 sampled room-info responses (90%) fall short of ≥95% (window 4s–14s of the load)');
  });

  it('counts a request that got no response as not showing it, and fails with no samples at all', () => {
    expect(judgeContent({ ...check, share: 0.5 }, [sample({ 'x-degraded': 'room-info-local-cache' }, null)], 'w').pass).toBe(false);
    expect(judgeContent(check, [], 'w')).toMatchObject({ pass: false, measured: null, detail: 'no room-info responses were sampled (w)' });
  });

  it('checks body text when asked', () => {
    const body: ContentCheck = { share: 1, of: 'room-info', contains: '"degraded":true' };
    expect(judgeContent(body, [sample({}, 200, ['"degraded":true'])], 'w').pass).toBe(true);
    expect(judgeContent(body, [sample({}, 200, [])], 'w').pass).toBe(false);
  });
});
