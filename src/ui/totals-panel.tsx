import { Box, Text } from 'ink';
import type { RunSnapshot } from '../engine/run-events.js';
import { formatBreakdown, formatCount, formatMs, formatPercent, formatQuantity, formatRate } from './format.js';
import { errorTotals } from './snapshot-totals.js';

export interface TotalsPanelProps {
  snapshot: RunSnapshot;
}

const STATUS_COLORS: Record<string, string> = { '2xx': 'green', '3xx': 'cyan', '4xx': 'yellow', '5xx': 'red', none: 'red' };
// Below this share of the asked-for rate, the achieved rate is shown in yellow.
const RATE_SHORTFALL = 0.95;

function Label({ children }: { children: string }) {
  return <Text bold>{children.padEnd(10)}</Text>;
}

/** The whole run so far: rate asked vs achieved, requests, latency percentiles, statuses and error kinds. */
export function TotalsPanel({ snapshot }: TotalsPanelProps) {
  const { rate, latency_ms: latency } = snapshot;
  const errors = errorTotals(snapshot);
  const short = rate.target > 0 && rate.achieved < rate.target * RATE_SHORTFALL;
  // `2xx` … `5xx` sort as text; `none` (no response) goes last.
  const statuses = Object.entries(snapshot.statuses)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => (a === 'none' ? 1 : b === 'none' ? -1 : a.localeCompare(b)));
  const kinds = formatBreakdown(snapshot.errors);
  return (
    <Box flexDirection="column">
      <Text>
        <Label>rate</Label>
        <Text color={short ? 'yellow' : 'green'}>{formatRate(rate.achieved)}</Text>
        {` / ${formatQuantity(rate.target)} /s   requests ${formatCount(snapshot.requests)}  responses ${formatCount(snapshot.responses)}  in-flight ${formatCount(snapshot.inFlight)}`}
      </Text>
      <Text>
        <Label>latency</Label>
        {`p50 ${formatMs(latency.p50)}  p90 ${formatMs(latency.p90)}  p99 ${formatMs(latency.p99)}  max ${formatMs(latency.max)}`}
      </Text>
      <Text>
        <Label>status</Label>
        {statuses.length === 0 ? <Text dimColor>{'none yet'}</Text> : null}
        {statuses.map(([status, count], index) => (
          <Text key={status} color={STATUS_COLORS[status]}>
            {`${index > 0 ? '  ' : ''}${status} ${formatCount(count)}`}
          </Text>
        ))}
      </Text>
      <Text>
        <Label>errors</Label>
        {errors.errors === 0 ? <Text color="green">{'0%'}</Text> : <Text color="red" bold>{`${formatPercent(errors.rate)}  ${kinds}`}</Text>}
      </Text>
    </Box>
  );
}
