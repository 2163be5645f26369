import { Box, Text } from 'ink';
import type { RunSnapshot } from '../engine/run-events.js';
import { formatCount, formatMs } from './format.js';
import type { RunState } from './run-state.js';

export interface GeneratorStatusProps {
  snapshot: RunSnapshot;
  warned: RunState['warned'];
}

/**
 * Whether the generator kept up with the schedule. Shown loudly when not: a lagging generator
 * sends less load than asked, and the run then proves less than it claims.
 */
export function GeneratorStatus({ snapshot, warned }: GeneratorStatusProps) {
  const latest = snapshot.warnings.at(-1);
  const lagging = warned.lag === true;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{'generator'.padEnd(10)}</Text>
        <Text color={lagging ? 'yellow' : undefined}>{`lag p99 ${formatMs(snapshot.lag_ms.p99)}  max ${formatMs(snapshot.lag_ms.max)}`}</Text>
        {'  '}
        <Text color={snapshot.dropped > 0 ? 'red' : undefined} bold={snapshot.dropped > 0}>{`dropped ${formatCount(snapshot.dropped)}`}</Text>
      </Text>
      {latest === undefined ? null : (
        <Text color={snapshot.dropped > 0 || warned.dropped === true ? 'red' : 'yellow'} bold>
          {`⚠ ${latest}${snapshot.warnings.length > 1 ? `  (${snapshot.warnings.length - 1} earlier)` : ''}`}
        </Text>
      )}
    </Box>
  );
}
