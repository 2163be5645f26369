import { describe, expect, it } from 'vitest';
import { IntervalRecorder, summariseLatency } from '../../src/engine/latency-intervals.js';

describe('latency intervals', () => {
  it('groups finished requests by second and endpoint, counting statuses and error kinds', () => {
    const recorder = new IntervalRecorder();
    recorder.record({ endpoint: 'room-info', intendedAt: 100, finishedAt: 102, status: 200 });
    recorder.record({ endpoint: 'room-info', intendedAt: 900, finishedAt: 1_050, status: 503, error: 'http_5xx' });
    recorder.record({ endpoint: 'gift-send', intendedAt: 950, finishedAt: 1_200, error: 'timeout' });
    recorder.record({ endpoint: 'room-info', intendedAt: 1_900, finishedAt: 2_100, status: 200 });

    const first = recorder.flush(2_000);
    expect(first.map(({ latency_us: _encoded, ...rest }) => rest)).toEqual([
      { second: 0, endpoint: 'room-info', count: 1, statuses: { '2xx': 1 }, errors: {} },
      { second: 1, endpoint: 'room-info', count: 1, statuses: { '5xx': 1 }, errors: { http_5xx: 1 } },
      { second: 1, endpoint: 'gift-send', count: 1, statuses: { none: 1 }, errors: { timeout: 1 } },
    ]);
    expect(recorder.flush(2_000)).toEqual([]);
    expect(recorder.flush().map((record) => record.second)).toEqual([2]);
  });

  it('measures latency from the intended send time, so a stall shows in full', () => {
    const recorder = new IntervalRecorder();
    // Meant to go at 0 ms, held up by a stalled generator or server, answered at 1.5 s.
    recorder.record({ endpoint: 'x', intendedAt: 0, finishedAt: 1_500, status: 200 });
    expect(summariseLatency(recorder.flush()).max).toBeCloseTo(1_500, 0);
  });

  it('keeps microsecond resolution and merges any window of seconds into exact-enough percentiles', () => {
    const recorder = new IntervalRecorder();
    // 10 000 requests, latencies 1 µs … 10 ms, spread over ten seconds.
    for (let index = 1; index <= 10_000; index += 1) {
      const finishedAt = (index % 10) * 1_000 + 500;
      recorder.record({ endpoint: 'x', intendedAt: finishedAt - index / 1_000, finishedAt, status: 200 });
    }
    const records = recorder.flush();
    expect(records).toHaveLength(10);
    const summary = summariseLatency(JSON.parse(JSON.stringify(records)));
    expect(summary.count).toBe(10_000);
    for (const [measured, truth] of [[summary.p50, 5], [summary.p90, 9], [summary.p99, 9.9], [summary.p999, 9.99], [summary.max, 10]] as const) {
      expect(Math.abs(measured - truth) / truth).toBeLessThan(0.002);
    }
    expect(summariseLatency(records.filter((record) => record.second < 5)).count).toBe(5_000);
  });
});
