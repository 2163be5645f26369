import type { Check, MilestoneName, RehearsalEvent } from '../sops/rehearsal-model.js';
import { formatMs, formatPercent, formatRate } from './format.js';

/** How often a load line is printed off a TTY: enough to follow, few enough to read in a CI log. */
const LOAD_LINE_EVERY_S = 5;

const MILESTONE_NAMES: Readonly<Record<MilestoneName, string>> = {
  injected: 'fault injected',
  impact: 'impact seen in the load',
  detected: 'detected',
  mitigationStarted: 'mitigation started',
  mitigated: 'mitigated (degraded hypotheses held)',
  faultRemoved: 'fault removed',
  recovered: 'recovered (recovered hypotheses held)',
};

const MARKS: Readonly<Record<Check['result'], string>> = { passed: '✓', failure: '✗', error: '✗', skipped: '-' };

function clock(ms: number): string {
  return `[${(ms / 1000).toFixed(1).padStart(6)}s]`;
}

/** One line per rehearsal event, or undefined for events that do not get one (most load seconds). */
export function rehearsalLine(event: RehearsalEvent): string | undefined {
  const at = clock(event.at);
  switch (event.type) {
    case 'phase':
      return `${at} ${event.phase}: ${event.detail}`;
    case 'step':
      return `${at}   ${event.phase === 'rollback' ? '↩' : '→'} ${event.name}`;
    case 'check': {
      const { check } = event;
      const kind = check.result === 'error' ? ' (error)' : '';
      return `${at}   ${MARKS[check.result]} ${check.group} ${check.name}: ${check.message}${kind}`;
    }
    case 'milestone':
      return `${at} ● ${MILESTONE_NAMES[event.milestone]}${event.time < event.at - 100 ? ` at ${(event.time / 1000).toFixed(1)}s` : ''}`;
    case 'stop':
      return `${at} ■ stopping: ${event.stop.reason} — rolling back`;
    case 'load': {
      if ((event.second + 1) % LOAD_LINE_EVERY_S !== 0) return undefined;
      const { snapshot } = event;
      const endpoints = snapshot.endpoints.map((endpoint) => {
        const p99 = endpoint.p99_history.at(-1);
        return `${endpoint.name} p99 ${p99 === null || p99 === undefined ? '–' : formatMs(p99)}`;
      });
      const errors = Object.values(snapshot.errors).reduce((sum, n) => sum + (n ?? 0), 0);
      return `${at}     load ${formatRate(snapshot.rate.achieved)}/s, errors ${formatPercent(errors / Math.max(1, snapshot.requests))} so far; ${endpoints.join(', ')}`;
    }
  }
}

/** A sink printing `rehearsalLine`s as they come. */
export function createRehearsalLines(out: { write(text: string): unknown }): (event: RehearsalEvent) => void {
  return (event) => {
    const line = rehearsalLine(event);
    if (line !== undefined) out.write(`${line}\n`);
  };
}
