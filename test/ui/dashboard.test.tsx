import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/run-events.js';
import { Dashboard } from '../../src/ui/dashboard.js';
import { createDashboardSink } from '../../src/ui/dashboard-sink.js';
import { initialRunState, reduceRunState, type RunState } from '../../src/ui/run-state.js';
import { second, snapshot, started } from './run-fixtures.js';

const fold = (events: RunEvent[]): RunState => events.reduce(reduceRunState, initialRunState);

function frame(events: RunEvent[]): string {
  const { lastFrame, unmount } = render(<Dashboard state={fold(events)} />);
  const text = lastFrame() ?? '';
  unmount();
  return text;
}

const lineWith = (text: string, needle: string): string => text.split('\n').find((line) => line.includes(needle)) ?? '';

describe('Dashboard', () => {
  it('waits for the run to start', () => {
    expect(frame([])).toContain('starting…');
  });

  it('shows the run, its progress and target vs achieved rate', () => {
    const text = frame([started, second(15_000)]);
    expect(text).toContain('loadtest s-final → http://127.0.0.1:8080');
    expect(text).toContain('0:15 / 1:00');
    expect(lineWith(text, '0:15 / 1:00')).toMatch(/█+░+ {2}25%/);
    expect(text).toMatch(/rate +98\.0 \/ 100 \/s/);
    expect(text).toContain('requests 1,180');
    expect(text).toContain('p50 1.2ms  p90 3.4ms  p99 8.4ms  max 21ms');
    expect(text).toContain('run dir runs/20260101T120000Z-s-final');
  });

  it('shows statuses, error kinds and each endpoint with its p99 sparkline', () => {
    const text = frame([started, second(12_000)]);
    expect(text).toMatch(/status +2xx 1,170 {2}5xx 2 {2}none 3/);
    expect(text).toMatch(/errors +0\.43% {2}timeout 3, http_5xx 2/);
    const roomInfo = lineWith(text, 'room-info ');
    expect(roomInfo).toMatch(/room-info +1,000 +2 +0\.2% +83\.0 +1\.2ms +3\.4ms +8\.4ms +21ms/);
    expect(roomInfo).toContain('▁▂ ▃▅█');
    expect(lineWith(text, 'danmaku ')).toMatch(/312ms +512ms/);
  });

  it('shows a breached threshold as failing, with its measured value', () => {
    const text = frame([started, second(12_000)]);
    expect(lineWith(text, 'errors.rate<0.1%')).toMatch(/✗ FAIL {2}errors\.rate<0\.1% +0\.43%/);
    expect(lineWith(text, 'room-info.p99<200ms')).toMatch(/✓ pass {2}room-info\.p99<200ms +8\.4ms/);
  });

  it('lets a later threshold event override the last snapshot, and logs the flip once', () => {
    const flip: RunEvent = { type: 'threshold', at: 12_500, expr: 'room-info.p99<200ms', value: 312, pass: false };
    const text = frame([started, second(12_000), flip, { ...flip, value: 330 }]);
    expect(lineWith(text, '✗ FAIL  room-info.p99')).toContain('330ms');
    expect(text.split('threshold failing: room-info.p99<200ms')).toHaveLength(2);
  });

  it('shows generator lag, dropped arrivals and warnings', () => {
    const warning: RunEvent = { type: 'warning', at: 11_000, reason: 'dropped', message: 'hit the in-flight limit: 12 arrivals dropped' };
    const lagging = snapshot({ lag_ms: { p99: 52, max: 140 }, dropped: 12, warnings: ['generator lag p99 52ms: the schedule is not kept', 'generator dropped 12 arrivals'] });
    const text = frame([started, warning, { type: 'second', at: 12_000, second: 11, records: [], snapshot: lagging }]);
    expect(text).toContain('WARNING: generator dropped arrivals: hit the in-flight limit: 12 arrivals dropped');
    expect(text).toMatch(/generator +lag p99 52ms {2}max 140ms {2}dropped 12/);
    expect(text).toContain('⚠ generator dropped 12 arrivals  (1 earlier)');
  });

  it('shows an abort', () => {
    const text = frame([
      started,
      second(12_000),
      { type: 'aborted', at: 12_100, expr: 'errors.rate>5% for 10s', value: 0.072 },
      { type: 'stopping', at: 12_100, reason: 'aborted' },
    ]);
    expect(text).toContain('ABORTED: errors.rate>5% for 10s held (measured 7.2%)');
    expect(lineWith(text, 'loadtest s-final')).toContain('ABORTED');
  });
});

/** Just enough of a terminal for Ink: it records what is written. */
class FakeTerminal extends EventEmitter {
  readonly columns = 100;
  readonly rows = 40;
  // Not a TTY, so Ink leaves the test process's cursor alone (it restores a hidden one on exit).
  readonly isTTY = false;
  output = '';
  write(chunk: string): boolean {
    this.output += chunk;
    return true;
  }
}

describe('createDashboardSink', () => {
  it('draws nothing before the first event, and the final frame on close', async () => {
    const terminal = new FakeTerminal();
    const sink = createDashboardSink(terminal as unknown as NodeJS.WriteStream);
    expect(terminal.output).toBe('');
    sink.handle(started);
    sink.handle(second(60_000, { elapsedMs: 60_000 }));
    sink.handle({ type: 'stopping', at: 60_000, reason: 'completed' });
    await sink.close?.();
    // eslint-disable-next-line no-control-regex
    const plain = terminal.output.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toContain('1:00 / 1:00');
    expect(plain).toContain('100%');
    expect(plain).toContain('✗ FAIL  errors.rate<0.1%');
    sink.handle(second(61_000));
    await sink.close?.();
  });

  it('closes without having drawn', async () => {
    const terminal = new FakeTerminal();
    await createDashboardSink(terminal as unknown as NodeJS.WriteStream).close?.();
    expect(terminal.output).toBe('');
  });
});
