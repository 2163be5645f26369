import { Box, Text, useStdout } from 'ink';
import { EndpointTable } from './endpoint-table.js';
import { EventLog } from './event-log.js';
import { GeneratorStatus } from './generator-status.js';
import { RunHeader } from './run-header.js';
import type { RunState } from './run-state.js';
import { ThresholdList } from './threshold-list.js';
import { TotalsPanel } from './totals-panel.js';

export interface DashboardProps {
  state: RunState;
}

const DEFAULT_COLUMNS = 80;

/** The live view of a load test: pure over the folded run state. */
export function Dashboard({ state }: DashboardProps) {
  const { stdout } = useStdout();
  const columns = stdout.columns > 0 ? stdout.columns : DEFAULT_COLUMNS;
  const { run, snapshot } = state;
  return (
    <>
      <EventLog lines={state.log} />
      {run === undefined ? (
        <Text dimColor>{'starting…'}</Text>
      ) : (
        <Box flexDirection="column" gap={1}>
          <RunHeader run={run} snapshot={snapshot} status={state} columns={columns} />
          {snapshot === undefined ? null : (
            <Box flexDirection="column">
              <TotalsPanel snapshot={snapshot} />
              <GeneratorStatus snapshot={snapshot} warned={state.warned} />
            </Box>
          )}
          {snapshot === undefined ? null : <EndpointTable endpoints={snapshot.endpoints} columns={columns} />}
          <ThresholdList thresholds={state.thresholds} />
        </Box>
      )}
    </>
  );
}
