import { performance } from 'node:perf_hooks';
import type { GeneratorClock } from './load-generator.js';

/** Milliseconds since the Unix epoch, sub-millisecond and comparable between worker threads. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The real run clock: 0 at `startEpoch`, timers on the event loop. */
export function realRunClock(startEpoch: number): GeneratorClock {
  return {
    now: () => epochNow() - startEpoch,
    setTimer: (callback, ms) => {
      const timer = setTimeout(callback, ms);
      return () => clearTimeout(timer);
    },
  };
}
