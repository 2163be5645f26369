import { describe, expect, it } from 'vitest';
import { IntervalRecorder, type IntervalRecord } from '../../src/engine/latency-intervals.js';
import { abortHolds, evaluateThresholds } from '../../src/engine/threshold-evaluation.js';
import { parseThresholdExpr, type ThresholdExpr } from '../../src/scenarios/threshold-expr.js';

const scopes = { journeyEndpoints: { 'enter-room': ['room-info', 'room-enter'] } };

function expr(text: string): ThresholdExpr {
  const parsed = parseThresholdExpr(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

/** Ten seconds: room-info answers in 10 ms (99%) or 500 ms (1%); room-enter fails 2% of the time from second 6. */
function run(): IntervalRecord[] {
  const recorder = new IntervalRecorder();
  for (let second = 0; second < 10; second += 1) {
    for (let index = 0; index < 100; index += 1) {
      const at = second * 1000 + index * 10;
      recorder.record({ endpoint: 'room-info', intendedAt: at, finishedAt: at + (index === 0 ? 500 : 10) - 0.001, status: 200 });
      const failing = second >= 6 && index < 20;
      recorder.record({ endpoint: 'room-enter', intendedAt: at, finishedAt: at + 2, ...(failing ? { status: 503, error: 'http_5xx' as const } : { status: 200 }) });
    }
  }
  return recorder.flush();
}

describe('threshold evaluation', () => {
  const records = run();

  it('measures latency, error rate and rps per endpoint, per journey and overall, and says pass or fail', () => {
    const results = evaluateThresholds(
      ['room-info.p99<200ms', 'room-info.p50<20ms', 'room-info.max<=400ms', 'errors.rate<1%', 'room-enter.errors.rate<=8%', 'enter-room.errors.rate<5%', 'rps>=199', 'room-enter.rps<100'].map(expr),
      records,
      10,
      scopes,
    );
    expect(results.map(({ expr: text, pass }) => [text, pass])).toEqual([
      ['room-info.p99<200ms', true],
      ['room-info.p50<20ms', true],
      ['room-info.max<=400ms', false],
      ['errors.rate<1%', false],
      ['room-enter.errors.rate<=8%', true],
      ['enter-room.errors.rate<5%', true],
      ['rps>=199', true],
      ['room-enter.rps<100', false],
    ]);
    expect(results[2]?.value).toBeCloseTo(500, 0);
    expect(results[3]?.value).toBeCloseTo(80 / 2000, 9);
    expect(results[4]?.value).toBeCloseTo(80 / 1000, 9);
  });

  it('fails a threshold on an endpoint nothing was measured for', () => {
    expect(evaluateThresholds([expr('gift-send.p99<200ms')], records, 10, scopes)).toEqual([{ expr: 'gift-send.p99<200ms', value: null, pass: false }]);
  });

  it('fires an abort only when its condition holds over the whole trailing window', () => {
    const abort = expr('room-enter.errors.rate>15% for 3s');
    expect([6, 7, 8, 9, 10].map((now) => abortHolds(abort, records, now, scopes))).toEqual([false, false, false, true, true]);
    expect(abortHolds(expr('errors.rate>5% for 20s'), records, 10, scopes)).toBe(false);
    expect(abortHolds(expr('room-info.max>400ms'), records, 3, scopes)).toBe(true);
    expect(abortHolds(expr('room-info.p99>400ms'), records, 3, scopes)).toBe(false);
  });
});
