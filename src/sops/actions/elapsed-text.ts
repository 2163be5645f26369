import { formatDuration } from '../../scenarios/unit-text.js';

/** `250 ms`, `2.4 s`, `1m30s`: short waits keep their precision, long ones read like the SOP's own durations. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
  return formatDuration(ms);
}
