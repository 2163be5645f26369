import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/watch/alert-intake.js';
import { createWatchDashboard, WatchDashboard } from '../../src/ui/watch-dashboard.js';
import { initialWatchState, reduceWatchState, type WatchAction, type WatchSopCard } from '../../src/ui/watch-state.js';

const T0 = Date.parse('2026-11-22T02:00:00.000Z');
const sops: WatchSopCard[] = [
  { id: 'room-info-storage-latency', title: 'Room info falls back to the local cache', steps: ['serve room info from the local cache', 'tell the room team'] },
  { id: 'gift-service-errors', title: 'Gift effects off when gifts fail', steps: ['turn gift effects off'] },
];

function alert(change: AlertEvent['change'], alertname: string, fingerprint: string, sop?: string, labels: Record<string, string> = {}): AlertEvent {
  return { type: 'alert', change, fingerprint, alertname, labels: { alertname, ...labels }, startsAt: '2026-11-22T02:00:00Z', ...(sop === undefined ? {} : { sop, by: 'matchers' as const }) };
}

type Received = Extract<WatchAction, { type: 'received' }>['event'];
const received = (at: number, event: Received): WatchAction => ({ type: 'received', at, event });
const notification = (alerts: number, repeats = 0): Received => ({ type: 'notification', groupKey: 'g', receiver: 'live-assure', status: 'firing', alerts, repeats, truncatedAlerts: 0 });

const night: WatchAction[] = [
  { type: 'listening', at: T0, url: 'http://127.0.0.1:9095/webhook', tokenRequired: true, runDir: 'runs/20261122T020000Z-watch', sopsDir: 'sops' },
  received(T0 + 1000, notification(3)),
  received(T0 + 1000, alert('firing', 'RoomInfoLatencyHigh', 'a1', 'room-info-storage-latency', { service: 'room-svc' })),
  received(T0 + 1000, alert('firing', 'DiskFull', 'b2', undefined, { instance: 'db-3' })),
  received(T0 + 1000, alert('firing', 'GiftSendErrorRateHigh', 'c3', 'gift-service-errors')),
  received(T0 + 5000, notification(1, 1)),
  received(T0 + 30_000, alert('resolved', 'GiftSendErrorRateHigh', 'c3', 'gift-service-errors')),
  { type: 'tick', at: T0 + 42_000 },
];

function frame(actions: WatchAction[]): string {
  const { lastFrame, unmount } = render(<WatchDashboard state={reduceWatchState(initialWatchState(sops, T0), actions)} />);
  const text = lastFrame() ?? '';
  unmount();
  return text;
}

describe('the watch state', () => {
  it('folds alert changes and notifications into counts, alerts and log lines', () => {
    const state = reduceWatchState(initialWatchState(sops, T0), night);
    expect(state.counts).toEqual({ notifications: 2, repeats: 1, truncated: 0, firing: 3, refiring: 0, resolved: 1 });
    expect(state.alerts.get('c3')).toMatchObject({ status: 'resolved', sop: 'gift-service-errors', firings: 1 });
    expect(state.now).toBe(T0 + 42_000);
    expect(state.log.map((line) => [line.level, line.text])).toEqual([
      ['info', '02:00:01 FIRING    RoomInfoLatencyHigh {service="room-svc"} → SOP room-info-storage-latency (by matchers): Room info falls back to the local cache'],
      ['error', '02:00:01 FIRING    DiskFull {instance="db-3"} → UNLINKED: no SOP answers it'],
      ['info', '02:00:01 FIRING    GiftSendErrorRateHigh → SOP gift-service-errors (by matchers): Gift effects off when gifts fail'],
      ['info', '02:00:30 RESOLVED  GiftSendErrorRateHigh → SOP gift-service-errors (by matchers): Gift effects off when gifts fail'],
    ]);
  });

  it('is pure: the state it was given is left as it was', () => {
    const before = initialWatchState(sops, T0);
    reduceWatchState(before, night);
    expect(before.alerts.size).toBe(0);
    expect(before.log).toEqual([]);
  });

  it('counts a re-fire after a resolve as another firing episode', () => {
    const state = reduceWatchState(initialWatchState(sops, T0), [received(T0, alert('firing', 'DiskFull', 'b2')), received(T0 + 1, alert('resolved', 'DiskFull', 'b2')), received(T0 + 2, alert('refiring', 'DiskFull', 'b2'))]);
    expect(state.alerts.get('b2')).toMatchObject({ status: 'firing', firings: 2 });
    expect(state.counts.refiring).toBe(1);
  });
});

describe('WatchDashboard', () => {
  it('waits for the receiver, then says where Alertmanager should send', () => {
    expect(frame([])).toContain('starting the receiver…');
    const text = frame(night);
    expect(text).toContain('webhooks at http://127.0.0.1:9095/webhook (Bearer token required)');
    expect(text).toContain('2 SOPs from sops; run dir runs/20261122T020000Z-watch; up 0:42');
  });

  it('counts firing, unlinked, resolved and notifications', () => {
    expect(frame(night)).toContain('firing 2  unlinked 1  resolved 1  notifications 2 (1 re-sent alerts)');
  });

  it('shows each firing alert under its SOP, with that SOP’s mitigation steps', () => {
    const text = frame(night);
    expect(text).toMatch(/● 1 firing → SOP room-info-storage-latency \(by matchers\): Room info falls back to the local cache/);
    expect(text).toContain('1. serve room info from the local cache');
    expect(text).toContain('2. tell the room team');
    expect(text).toMatch(/RoomInfoLatencyHigh \{service="room-svc"\} {2}for 0:41/);
    // The resolved SOP's steps are no longer shown: nothing to do.
    expect(text).not.toContain('turn gift effects off');
  });

  it('flags unlinked alerts loudly, above the linked ones', () => {
    const text = frame(night);
    expect(text).toContain('UNLINKED: 1 firing with no SOP — a person must decide');
    expect(text).toMatch(/‼ DiskFull \{instance="db-3"\}/);
    expect(text.indexOf('UNLINKED')).toBeLessThan(text.indexOf('● 1 firing'));
  });

  it('lists resolved alerts, the latest first', () => {
    expect(frame(night)).toMatch(/resolved\n {2}✓ GiftSendErrorRateHigh {2}0:12 ago, SOP gift-service-errors/);
  });

  it('counts what does not fit rather than dropping it', () => {
    const storm = Array.from({ length: 8 }, (_, index) => received(T0, alert('firing', 'RoomInfoLatencyHigh', `r${index}`, 'room-info-storage-latency', { instance: `room-${index}` })));
    expect(frame(storm)).toMatch(/● 8 firing[\s\S]*… and 3 more alerts/);
  });

  it('says so when nothing fires', () => {
    expect(frame(night.slice(0, 2))).toContain('nothing firing');
  });
});

class FakeTerminal extends EventEmitter {
  output = '';
  columns = 120;
  rows = 40;
  // Not a TTY, so Ink leaves the test process's cursor alone.
  isTTY = false;
  write(chunk: string): boolean {
    this.output += chunk;
    return true;
  }
}

describe('the live watch view', () => {
  it('draws a burst of events in one frame, and leaves the last frame on close', async () => {
    const terminal = new FakeTerminal();
    const view = createWatchDashboard(terminal as unknown as NodeJS.WriteStream, sops, () => T0 + 2000);
    for (const action of night.slice(0, 5)) view.dispatch(action);
    // Not drawn yet: events are folded in once per frame (≤10 fps).
    expect(terminal.output).not.toContain('DiskFull');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(terminal.output).toContain('UNLINKED');
    view.dispatch(night[6] ?? { type: 'tick', at: T0 });
    view.close();
    // eslint-disable-next-line no-control-regex
    const plain = terminal.output.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toContain('RESOLVED  GiftSendErrorRateHigh');
    expect(plain).toContain('✓ GiftSendErrorRateHigh');
  });
});
