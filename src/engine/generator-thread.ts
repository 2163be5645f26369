import { parentPort, workerData } from 'node:worker_threads';
import { createHttpTransport } from './http-transport.js';
import { LoadGenerator, type GeneratorReport } from './load-generator.js';
import type { LoadPlan } from './load-plan.js';
import { realRunClock } from './run-clock.js';
import { warmUpTransport } from './transport-warm-up.js';

/** What the main thread hands each generator thread. */
export interface ThreadInput {
  plan: LoadPlan;
  worker: { index: number; count: number };
}

/** Thread → main: ready (loaded, waiting for the start time), reports, closed. */
export type ThreadMessage = { type: 'ready' } | { type: 'report'; report: GeneratorReport } | { type: 'closed' };

/** Main → thread: when the run clock starts (epoch ms, shared by all threads), or stop. */
export type MainMessage = { type: 'start'; startEpoch: number } | { type: 'stop' };

function isThreadInput(value: unknown): value is ThreadInput {
  return typeof value === 'object' && value !== null && 'plan' in value && 'worker' in value;
}

function isMainMessage(value: unknown): value is MainMessage {
  return typeof value === 'object' && value !== null && 'type' in value && (value.type === 'start' || value.type === 'stop');
}

/** Runs one worker's share of the schedule in this thread, reporting to the main thread. */
async function runThread(): Promise<void> {
  const port = parentPort;
  if (port === null || !isThreadInput(workerData)) throw new Error('generator-thread runs only as a worker thread of a load test');
  const { plan, worker } = workerData;
  const transport = createHttpTransport(plan.limits);
  const post = (message: ThreadMessage): void => port.postMessage(message);
  // The clock starts only once every thread has loaded: a thread still compiling when its first
  // arrivals fall due would start the run with a burst of late requests.
  const running: { generator?: LoadGenerator; stopped: boolean } = { stopped: false };
  const startEpoch = await new Promise<number>((resolve) => {
    port.on('message', (message: unknown) => {
      if (!isMainMessage(message)) return;
      if (message.type === 'start') resolve(message.startEpoch);
      else {
        running.stopped = true;
        running.generator?.stop();
        resolve(0);
      }
    });
    void warmUpTransport().then(() => post({ type: 'ready' }));
  });
  const generator = new LoadGenerator({ plan, worker, transport, clock: realRunClock(startEpoch), report: (report) => post({ type: 'report', report }) });
  running.generator = generator;
  if (running.stopped) generator.stop();
  await generator.run();
  await transport.close();
  post({ type: 'closed' });
  port.close();
}

await runThread();
