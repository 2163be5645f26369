import type { RunEvent, RunSink } from '../engine/run-events.js';
import { describeAbort, describeFailingThreshold, describeIsolation, describeProgress, describeStart, describeStopping, describeWarning } from './event-lines.js';

export interface PlainReporterOptions {
  /** Run time between progress lines, ms (default 5 s). */
  everyMs?: number;
}

/**
 * Plain lines for logs and CI, where a redrawn frame would be noise: a line at the start, one every
 * `everyMs` of run time, and one for each warning, failing threshold, abort and stop. The final
 * summary is the command's to print, so `finished` prints nothing.
 */
export function createPlainReporter(out: { write(s: string): unknown }, options: PlainReporterOptions = {}): RunSink {
  const everyMs = Math.max(1, options.everyMs ?? 5000);
  // Run time, not wall time, paces the lines: the same run always prints the same lines.
  let lastBucket = 0;
  const failing = new Set<string>();
  const print = (line: string): void => {
    out.write(`${line}\n`);
  };

  function handle(event: RunEvent): void {
    switch (event.type) {
      case 'started':
        print(describeStart(event.run));
        return;
      case 'second': {
        const bucket = Math.floor(event.snapshot.elapsedMs / everyMs);
        if (bucket > lastBucket) {
          lastBucket = bucket;
          print(describeProgress(event.snapshot));
        }
        return;
      }
      case 'warning':
        print(describeWarning(event));
        return;
      case 'threshold':
        // Only the flip to failing is news; a threshold that stays failing is in the final table.
        if (event.pass) failing.delete(event.expr);
        else if (!failing.has(event.expr)) {
          failing.add(event.expr);
          print(describeFailingThreshold(event.expr, event.value));
        }
        return;
      case 'aborted':
        print(describeAbort(event.expr, event.value));
        return;
      case 'stopping':
        print(describeStopping(event.reason));
        return;
      case 'isolation':
        print(describeIsolation(event));
        return;
      case 'finished':
        return;
    }
  }

  return { handle };
}
