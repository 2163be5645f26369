import { Box, Text } from 'ink';
import type { EndpointSnapshot } from '../engine/run-events.js';
import { formatCount, formatMs, formatPercent, formatRate } from './format.js';
import { sparkline } from './sparkline.js';

export interface EndpointTableProps {
  endpoints: readonly EndpointSnapshot[];
  /** Terminal columns: the p99 sparkline gets what the numbers leave. */
  columns: number;
}

const NUMBER_COLUMNS = [
  ['req', 7],
  ['err', 6],
  ['err%', 7],
  ['rps', 7],
  ['p50', 7],
  ['p90', 7],
  ['p99', 7],
  ['max', 7],
] as const;
const NUMBERS_WIDTH = NUMBER_COLUMNS.reduce((sum, [, width]) => sum + width + 1, 0);
const MIN_SPARKLINE = 8;

const cell = (text: string, width: number): string => ` ${text.padStart(width)}`;

/** Per endpoint: requests, errors, rate, percentiles over the run, and p99 of each recent second. */
export function EndpointTable({ endpoints, columns }: EndpointTableProps) {
  if (endpoints.length === 0) return null;
  const nameWidth = Math.max(8, ...endpoints.map((endpoint) => endpoint.name.length));
  const room = columns - nameWidth - NUMBERS_WIDTH - 3;
  const sparkWidth = room >= MIN_SPARKLINE ? Math.min(60, room) : 0;
  const header = NUMBER_COLUMNS.map(([label, width]) => cell(label, width)).join('');
  return (
    <Box flexDirection="column">
      <Text bold>
        {'endpoint'.padEnd(nameWidth)}
        {header}
        {sparkWidth > 0 ? `  p99 last ${sparkWidth}s` : ''}
      </Text>
      {endpoints.map((endpoint) => {
        const errorRate = endpoint.requests > 0 ? endpoint.errors / endpoint.requests : 0;
        const latency = endpoint.latency_ms;
        return (
          <Text key={endpoint.name} wrap="truncate">
            {endpoint.name.padEnd(nameWidth)}
            {cell(formatCount(endpoint.requests), 7)}
            <Text color={endpoint.errors > 0 ? 'red' : undefined}>
              {cell(formatCount(endpoint.errors), 6)}
              {cell(formatPercent(errorRate), 7)}
            </Text>
            {cell(formatRate(endpoint.rps), 7)}
            {[latency.p50, latency.p90, latency.p99, latency.max].map((ms) => cell(formatMs(ms), 7)).join('')}
            {sparkWidth > 0 ? <Text color="cyan">{`  ${sparkline(endpoint.p99_history, { width: sparkWidth })}`}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
