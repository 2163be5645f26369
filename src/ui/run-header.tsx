import { Box, Text } from 'ink';
import type { RunDescription, RunSnapshot } from '../engine/run-events.js';
import { formatClock, formatQuantity } from './format.js';
import { ProgressBar } from './progress-bar.js';
import type { RunState } from './run-state.js';

export interface RunHeaderProps {
  run: RunDescription;
  snapshot: RunSnapshot | undefined;
  status: Pick<RunState, 'stopping' | 'aborted' | 'finished'>;
  columns: number;
}

function Status({ status }: { status: RunHeaderProps['status'] }) {
  if (status.aborted !== undefined) return <Text color="red" bold inverse>{' ABORTED '}</Text>;
  if (status.stopping === 'interrupted') return <Text color="yellow" bold>{'interrupted, stopping…'}</Text>;
  if (status.finished) return <Text color="green">{'done'}</Text>;
  if (status.stopping !== undefined) return <Text color="yellow">{'stopping…'}</Text>;
  return <Text color="green">{'running'}</Text>;
}

/** What runs where, and how far along it is. */
export function RunHeader({ run, snapshot, status, columns }: RunHeaderProps) {
  const elapsedMs = snapshot?.elapsedMs ?? 0;
  const totalMs = snapshot?.totalMs ?? run.durationMs;
  const clock = `${formatClock(elapsedMs)} / ${formatClock(totalMs)}`;
  const details = [`peak ${formatQuantity(run.peakRate)}/s`, `${run.workers} worker${run.workers === 1 ? '' : 's'}`];
  if (run.runDir !== undefined) details.push(`run dir ${run.runDir}`);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>{`loadtest ${run.name}`}</Text>
        {` → ${run.target}  `}
        <Status status={status} />
      </Text>
      <Text>
        {`${clock}  `}
        <ProgressBar fraction={totalMs > 0 ? elapsedMs / totalMs : 0} width={Math.min(40, Math.max(10, columns - clock.length - 8))} />
      </Text>
      <Text dimColor wrap="truncate">
        {details.join('  ')}
      </Text>
    </Box>
  );
}
