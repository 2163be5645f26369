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
  const lines = createRehearsalLines(out);
  return {
    view: (event) => {
      // Until src/ui renders alert events itself, the plain lines get one here (a CI log should show what Alertmanager sent).
      if (event.type === 'alert') out.write(`${alertLine(event)}\n`);
      else lines(event);
    },
    close: () => undefined,
  };
}

function alertLine(event: Extract<RehearsalEvent, { type: 'alert' }>): string {
  const labels = Object.entries(event.labels).filter(([name]) => name !== 'alertname').map(([name, value]) => `${name}="${value}"`).join(', ');
  const clock = `[${(event.at / 1000).toFixed(1).padStart(6)}s]`;
  return `${clock}   alert ${event.change} ${event.alertname}${labels === '' ? '' : ` {${labels}}`}${event.matches ? ' (matches the detection)' : ''}`;
}
