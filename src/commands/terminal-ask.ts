import { createInterface } from 'node:readline';
import type { Io } from '../io.js';

type Answer = 'continue' | 'abort' | undefined;

/**
 * Asks a manual step's question at the terminal: `c` (continue) or `a` (abort). Undefined when
 * nobody answers in time or the rehearsal stops; the step then takes its default.
 */
export function terminalAsk(io: Io): (prompt: string, timeoutMs: number, signal: AbortSignal) => Promise<Answer> {
  return (prompt, timeoutMs, signal) =>
    new Promise<Answer>((resolve) => {
      const lines = createInterface({ input: io.stdin, terminal: false });
      const done = (answer: Answer): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        lines.close();
        resolve(answer);
      };
      const onAbort = (): void => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      const ask = (): void => {
        io.stdout.write(`  ? ${prompt} [c]ontinue / [a]bort (${Math.round(timeoutMs / 1000)}s): `);
        lines.question('', (text) => {
          const answer = text.trim().toLowerCase();
          if (answer === 'c' || answer === 'continue') done('continue');
          else if (answer === 'a' || answer === 'abort') done('abort');
          else ask();
        });
      };
      ask();
    });
}
