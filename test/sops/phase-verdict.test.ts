import { describe, expect, it } from 'vitest';
import { IntervalRecorder, type IntervalRecord } from '../../src/engine/latency-intervals.js';
import { parseHypothesis, type TextHypothesis } from '../../src/sops/hypothesis.js';
import { judgeHypotheses, type LoadWindow } from '../../src/sops/phase-verdict.js';

const scopes = { journeyEndpoints: { 'enter-room': ['room-info', 'room-enter'] } };

function hypothesis(text: string): TextHypothesis {
  const parsed = parseHypothesis(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

/** `seconds` seconds from `from`, each with `perSecond` room-info requests taking `latencyMs`, `failing` of them failed. */
function window(from: number, seconds: number, latencyMs: number, perSecond = 20, failing = 0): LoadWindow {
  const recorder = new IntervalRecorder();
  for (let second = from; second < from + seconds; second += 1) {
    for (let index = 0; index < perSecond; index += 1) {
      const finishedAt = second * 1000 + 500 + index;
      recorder.record({ endpoint: 'room-info', intendedAt: finishedAt - latencyMs, finishedAt, status: index < failing ? 503 : 200, ...(index < failing ? { error: 'http_5xx' as const } : {}) });
    }
  }
  const records: IntervalRecord[] = recorder.flush();
  return { fromSecond: from, seconds, records };
}

describe('phase hypotheses over a window of the load', () => {
  it('holds absolute bounds, and says measured vs expected over which seconds', () => {
    const degraded = window(30, 10, 120, 20, 1);
    const [latency, errors, rps] = judgeHypotheses([hypothesis('room-info.p99<100ms'), hypothesis('errors.rate<10%'), hypothesis('rps>=19')], degraded, scopes);
    expect(latency).toMatchObject({ pass: false, bound: 100, detail: expect.stringMatching(/^120(\.\d+)?ms breaks <100ms \(window 30s–40s of the load\)$/) });
    expect(errors).toMatchObject({ pass: true, measured: 0.05 });
    expect(rps).toMatchObject({ pass: true, measured: 20 });
  });

  it('holds relative bounds to factor × the baseline measurement of the same metric and scope', () => {
    const baseline = window(0, 10, 50);
    const within = judgeHypotheses([hypothesis('room-info.p99<=1.5*baseline')], window(30, 10, 70), scopes, baseline)[0];
    expect(within).toMatchObject({ pass: true });
    expect(within?.bound).toBeCloseTo(75, 0);
    const beyond = judgeHypotheses([hypothesis('enter-room.p99<=1.5*baseline')], window(30, 10, 90), scopes, baseline)[0];
    expect(beyond).toMatchObject({ pass: false, detail: expect.stringMatching(/breaks <=1.5 × baseline 50(\.\d+)?ms = 75(\.\d+)?ms \(window 30s–40s/) });
  });

  it('fails what it cannot measure: an empty window, or a relative bound with no baseline', () => {
    const empty: LoadWindow = { fromSecond: 5, seconds: 5, records: [] };
    expect(judgeHypotheses([hypothesis('room-info.p99<100ms')], empty, scopes)[0]).toMatchObject({ pass: false, measured: null, detail: 'nothing measured (window 5s–10s of the load)' });
    expect(judgeHypotheses([hypothesis('room-info.p99<=2*baseline')], window(0, 5, 10), scopes)[0]).toMatchObject({ pass: false, detail: 'the baseline measured nothing to compare with' });
  });

  it('parses what SOP files write, and refuses what does not make sense', () => {
    expect(hypothesis('room-info.p99 <= 1.2 * baseline')).toMatchObject({ kind: 'relative', scope: 'room-info', op: '<=', factor: 1.2 });
    expect(parseHypothesis('room-info.p99<=baseline')).toEqual({ error: expect.stringContaining('expected "<metric> <op> <factor>*baseline"') });
    expect(parseHypothesis('errors.rate<1% for 10s')).toEqual({ error: expect.stringContaining('"for" belongs to abort conditions') });
    expect(parseHypothesis('room-info.p42<=2*baseline')).toEqual({ error: expect.stringContaining('unknown metric') });
  });
});
