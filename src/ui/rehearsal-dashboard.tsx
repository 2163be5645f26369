import { Box, render, Text, useStdout, type Instance } from 'ink';
import type { RunSnapshot } from '../engine/run-events.js';
import type { RehearsalEvent } from '../sops/rehearsal-model.js';
import { EndpointTable } from './endpoint-table.js';
import { EventLog } from './event-log.js';
import { rehearsalLine } from './rehearsal-lines.js';
import type { LogLine } from './run-state.js';
import { TotalsPanel } from './totals-panel.js';

interface RehearsalViewState {
  /** The timeline so far: final once said. */
  lines: LogLine[];
  /** The phase or step under way. */
  now: string;
  at: number;
  snapshot?: RunSnapshot;
}

const DEFAULT_COLUMNS = 80;
const MAX_FPS = 10;

function level(event: RehearsalEvent): LogLine['level'] {
  if (event.type === 'stop') return 'warning';
  if (event.type === 'check' && (event.check.result === 'failure' || event.check.result === 'error')) return 'error';
  return 'info';
}

function reduce(state: RehearsalViewState, event: RehearsalEvent): RehearsalViewState {
  if (event.type === 'load') return { ...state, snapshot: event.snapshot, at: event.at };
  const text = rehearsalLine(event);
  const lines = text === undefined ? state.lines : [...state.lines, { id: state.lines.length, level: level(event), text }];
  const now = event.type === 'phase' ? `${event.phase}: ${event.detail}` : event.type === 'step' ? `${event.phase}: ${event.name}` : event.type === 'stop' ? `stopping: ${event.stop.reason}` : state.now;
  return { ...state, lines, now, at: event.at };
}

/** The live rehearsal: its timeline above, the phase under way and the background load's latency and errors below. */
function RehearsalDashboard({ state }: { state: RehearsalViewState }) {
  const { stdout } = useStdout();
  const columns = stdout.columns > 0 ? stdout.columns : DEFAULT_COLUMNS;
  return (
    <>
      <EventLog lines={state.lines} />
      <Box flexDirection="column" gap={1}>
        <Text>
          <Text bold>{state.now}</Text>
          <Text dimColor>{`  (${(state.at / 1000).toFixed(0)}s)`}</Text>
        </Text>
        {state.snapshot === undefined ? null : <TotalsPanel snapshot={state.snapshot} />}
        {state.snapshot === undefined ? null : <EndpointTable endpoints={state.snapshot.endpoints} columns={columns} />}
      </Box>
    </>
  );
}

/** Mounts the view on the first event; `close` leaves the final frame on screen. */
export function createRehearsalDashboard(stdout: NodeJS.WriteStream): { view(event: RehearsalEvent): void; close(): void } {
  let state: RehearsalViewState = { lines: [], now: 'starting the background load', at: 0 };
  let instance: Instance | undefined;
  return {
    view(event) {
      state = reduce(state, event);
      const tree = <RehearsalDashboard state={state} />;
      // Ctrl-C must reach the command's handler, which rolls back; Ink must not exit on it.
      if (instance === undefined) instance = render(tree, { stdout, patchConsole: false, exitOnCtrlC: false, maxFps: MAX_FPS });
      else instance.rerender(tree);
    },
    close() {
      instance?.unmount();
    },
  };
}
