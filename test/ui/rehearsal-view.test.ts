import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { RehearsalEvent } from '../../src/sops/rehearsal-model.js';
import { createRehearsalDashboard } from '../../src/ui/rehearsal-dashboard.js';
import { rehearsalLine } from '../../src/ui/rehearsal-lines.js';
import { snapshot } from './run-fixtures.js';

const events: RehearsalEvent[] = [
  { type: 'phase', at: 200, phase: 'baseline', detail: 'window of 10s (load seconds 1–11)' },
  { type: 'check', at: 12_300, check: { group: 'precheck', name: 'room-info.p99<100ms', result: 'passed', message: '12.31ms within <100ms (window 1s–11s of the load)', ms: 10_000 } },
  { type: 'milestone', at: 12_300, time: 12_300, milestone: 'injected' },
  { type: 'load', at: 14_000, second: 13, snapshot: snapshot() },
  { type: 'step', at: 13_200, phase: 'mitigation', name: 'serve room info from the local cache' },
  { type: 'check', at: 29_200, check: { group: 'verification.degraded', name: 'room-info.p99<=3*baseline', result: 'failure', message: '40ms breaks <=3 × baseline 12ms = 36ms (window 19s–29s of the load)', ms: 10_000 } },
  { type: 'milestone', at: 29_200, time: 15_200, milestone: 'mitigated' },
  { type: 'stop', at: 30_000, stop: { kind: 'interrupted', reason: 'interrupted (Ctrl-C)' } },
];

describe('the rehearsal timeline', () => {
  it('says each phase, check, step and milestone on one line, on the rehearsal clock', () => {
    expect(events.map(rehearsalLine).filter((line) => line !== undefined)).toEqual([
      '[   0.2s] baseline: window of 10s (load seconds 1–11)',
      '[  12.3s]   ✓ precheck room-info.p99<100ms: 12.31ms within <100ms (window 1s–11s of the load)',
      '[  12.3s] ● fault injected',
      '[  13.2s]   → serve room info from the local cache',
      '[  29.2s]   ✗ verification.degraded room-info.p99<=3*baseline: 40ms breaks <=3 × baseline 12ms = 36ms (window 19s–29s of the load)',
      '[  29.2s] ● mitigated (degraded hypotheses held) at 15.2s',
      '[  30.0s] ■ stopping: interrupted (Ctrl-C) — rolling back',
    ]);
  });

  it('prints a load line every 5 seconds of load, not every second', () => {
    expect(rehearsalLine({ type: 'load', at: 1000, second: 3, snapshot: snapshot() })).toBeUndefined();
    expect(rehearsalLine({ type: 'load', at: 1000, second: 4, snapshot: snapshot() })).toMatch(/^\[ {3}1\.0s\] {5}load /);
  });
});

class FakeTerminal extends EventEmitter {
  output = '';
  columns = 100;
  rows = 40;
  // Not a TTY, so Ink leaves the test process's cursor alone.
  isTTY = false;
  write(chunk: string): boolean {
    this.output += chunk;
    return true;
  }
}

describe('the Ink rehearsal view', () => {
  it('shows the timeline above the phase under way and the load panel', () => {
    const terminal = new FakeTerminal();
    const view = createRehearsalDashboard(terminal as unknown as NodeJS.WriteStream);
    for (const event of events.slice(0, 5)) view.view(event);
    view.close();
    // eslint-disable-next-line no-control-regex
    const plain = terminal.output.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toContain('✓ precheck room-info.p99<100ms');
    expect(plain).toContain('mitigation: serve room info from the local cache');
    expect(plain).toMatch(/room-info/);
  });
});
