import { parentPort, workerData } from 'node:worker_threads';
import { createHttpTransport } from './http-transport.js';
import { LoadGenerator, type GeneratorReport } from './load-generator.js';
import type { LoadPlan } from './load-plan.js';
import { realRunClock } from './run-clock.js';

/** What the main thread hands each generator thread. */
export interface ThreadInput {
  plan: LoadPlan;
  worker: { index: number; count: number };
  startEpoch: number;
}

export type ThreadMessage = { type: 'report'; report: GeneratorReport } | { type: 'closed' };

function isThreadInput(value: unknown): value is ThreadInput {
  return typeof value === 'object' && value !== null && 'plan' in value && 'worker' in value && 'startEpoch' in value;
}

/** Runs one worker's share of the schedule in this thread, reporting to the main thread. */
async function runThread(): Promise<void> {
  const port = parentPort;
  if (port === null || !isThreadInput(workerData)) throw new Error('generator-thread runs only as a worker thread of a load test');
  const { plan, worker, startEpoch } = workerData;
  const transport = createHttpTransport({ connections: plan.limits.connections, connectTimeoutMs: plan.limits.connectTimeoutMs });
  const post = (message: ThreadMessage): void => port.postMessage(message);
  const generator = new LoadGenerator({ plan, worker, transport, clock: realRunClock(startEpoch), report: (report) => post({ type: 'report', report }) });
  port.on('message', (message: unknown) => {
    if (message === 'stop') generator.stop();
  });
  await generator.run();
  await transport.close();
  post({ type: 'closed' });
  port.close();
}

await runThread();
