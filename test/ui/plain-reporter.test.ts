import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/run-events.js';
import { createPlainReporter } from '../../src/ui/plain-reporter.js';
import { second, started } from './run-fixtures.js';

function feed(events: RunEvent[], options?: { everyMs?: number }): string[] {
  let text = '';
  const sink = createPlainReporter({ write: (s: string) => (text += s) }, options);
  for (const event of events) sink.handle(event);
  return text.split('\n').slice(0, -1);
}

describe('createPlainReporter', () => {
  it('prints what is about to run', () => {
    expect(feed([started])).toEqual([
      'loadtest s-final → http://127.0.0.1:8080  duration 1m  peak 100/s  4 workers  run dir runs/20260101T120000Z-s-final',
    ]);
  });

  it('prints a progress line every 5 s of run time, whatever the seconds in between', () => {
    const seconds = Array.from({ length: 12 }, (_, index) => second((index + 1) * 1000));
    const lines = feed([started, ...seconds]).slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {2}5s\/1m {2}/);
    expect(lines[1]).toBe('  10s/1m  rate 98.0/100 /s  req 1,180  err 0.43% (timeout 3, http_5xx 2)  p50 1.2ms p99 8.4ms  lag p99 0.3ms  in-flight 4');
  });

  it('takes its pace from the options, and shows dropped arrivals', () => {
    const lines = feed([second(1000), second(2000, { dropped: 12, errors: {}, statuses: { '2xx': 10 } })], { everyMs: 1000 });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('err 0%  p50');
    expect(lines[1]).toMatch(/DROPPED 12$/);
  });

  it('prints generator warnings at once, loudly', () => {
    const lines = feed([
      { type: 'warning', at: 3000, reason: 'lag', message: 'is 52ms behind schedule (p99 over the last second)' },
      { type: 'warning', at: 4000, reason: 'dropped', message: 'generator could not keep up: 12 arrivals dropped' },
      { type: 'warning', at: 5000, reason: 'pool', message: 'all 50 connections were busy' },
    ]);
    expect(lines).toEqual([
      'WARNING: generator lag: is 52ms behind schedule (p99 over the last second)',
      'WARNING: generator could not keep up: 12 arrivals dropped',
      'WARNING: connection pool: all 50 connections were busy',
    ]);
  });

  it('prints a threshold when it flips to failing, not while it stays failing', () => {
    const lines = feed([
      { type: 'threshold', at: 5000, expr: 'room-info.p99<200ms', value: 312, pass: false },
      { type: 'threshold', at: 6000, expr: 'room-info.p99<200ms', value: 320, pass: false },
      { type: 'threshold', at: 7000, expr: 'room-info.p99<200ms', value: 150, pass: true },
      { type: 'threshold', at: 8000, expr: 'room-info.p99<200ms', value: 1250, pass: false },
      { type: 'threshold', at: 9000, expr: 'errors.rate<0.1%', value: 0.004, pass: false },
      { type: 'threshold', at: 9000, expr: 'rps>=100', value: null, pass: false },
    ]);
    expect(lines).toEqual([
      'threshold failing: room-info.p99<200ms (measured 312ms)',
      'threshold failing: room-info.p99<200ms (measured 1.25s)',
      'threshold failing: errors.rate<0.1% (measured 0.4%)',
      'threshold failing: rps>=100 (measured no data)',
    ]);
  });

  it('prints aborts and stops, and nothing on finish', () => {
    const lines = feed([
      { type: 'aborted', at: 20_000, expr: 'errors.rate>5% for 10s', value: 0.072 },
      { type: 'stopping', at: 20_000, reason: 'aborted' },
      { type: 'finished', at: 21_000, summary: {} as never },
    ]);
    expect(lines).toEqual(['ABORTED: errors.rate>5% for 10s held (measured 7.2%)', 'stopping: an abort condition held']);
  });
});
