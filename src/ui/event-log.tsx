import { Static, Text } from 'ink';
import type { LogLine } from './run-state.js';

const COLORS: Record<LogLine['level'], string | undefined> = { info: undefined, warning: 'yellow', error: 'red' };

/** Lines that are final once said, printed once above the live frame so they scroll with the terminal. */
export function EventLog({ lines }: { lines: readonly LogLine[] }) {
  return (
    <Static items={[...lines]}>
      {(line) => (
        <Text key={line.id} color={COLORS[line.level]} bold={line.level !== 'info'}>
          {line.text}
        </Text>
      )}
    </Static>
  );
}
