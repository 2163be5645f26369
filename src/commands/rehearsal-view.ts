import { WriteStream } from 'node:tty';
import type { OutputStream } from '../io.js';
import type { RehearsalEvent } from '../sops/rehearsal-model.js';

export interface RehearsalView {
  view(event: RehearsalEvent): void;
  close(): void;
}

/** The Ink timeline on a terminal; plain lines anywhere else (CI logs, pipes, --no-tui). */
export async function rehearsalView(out: OutputStream, options: { interactive: boolean }): Promise<RehearsalView> {
  if (options.interactive && out instanceof WriteStream) {
    const { createRehearsalDashboard } = await import('../ui/rehearsal-dashboard.js');
    return createRehearsalDashboard(out);
  }
  const { createRehearsalLines } = await import('../ui/rehearsal-lines.js');
  return { view: createRehearsalLines(out), close: () => undefined };
}
