import { Text } from 'ink';

export interface ProgressBarProps {
  /** Done, 0–1 (clamped). */
  fraction: number;
  /** Cells, not counting the percentage. */
  width: number;
}

/** `████████░░░░░░░░  50%` */
export function ProgressBar({ fraction, width }: ProgressBarProps) {
  const done = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const cells = Math.max(1, Math.floor(width));
  const filled = Math.round(done * cells);
  return (
    <Text>
      <Text color="cyan">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(cells - filled)}</Text>
      <Text> {`${Math.floor(done * 100)}%`.padStart(4)}</Text>
    </Text>
  );
}
