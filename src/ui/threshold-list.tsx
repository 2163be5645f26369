import { Box, Text } from 'ink';
import type { ThresholdResult } from '../engine/threshold-evaluation.js';
import { formatThresholdValue } from './threshold-value.js';

export interface ThresholdListProps {
  thresholds: readonly ThresholdResult[];
}

/** Each threshold with its measured value: green when it passes, red when it fails. */
export function ThresholdList({ thresholds }: ThresholdListProps) {
  if (thresholds.length === 0) return null;
  const width = Math.max(...thresholds.map((result) => result.expr.length));
  return (
    <Box flexDirection="column">
      <Text bold>thresholds</Text>
      {thresholds.map((result) => (
        <Text key={result.expr} color={result.pass ? 'green' : 'red'}>
          {`${result.pass ? '✓ pass' : '✗ FAIL'}  ${result.expr.padEnd(width)}  ${formatThresholdValue(result.expr, result.value)}`}
        </Text>
      ))}
    </Box>
  );
}
