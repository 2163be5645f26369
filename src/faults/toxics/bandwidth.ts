import type { ToxicBehaviour } from './toxic-behaviour.js';

const SLICE_MS = 100;

/**
 * Toxiproxy's bandwidth: `rate` KB/s (1 KB = 1000 bytes, so `rate` bytes per ms); each chunk
 * costs len/rate ms, the timer's overshoot is carried into the next sleep, and a chunk larger than
 * 100 ms worth is sent in 100 ms slices. `rate` ≤ 0 is unlimited.
 */
export function bandwidth(): ToxicBehaviour {
  let owed = 0;
  return {
    start() {
      owed = 0;
    },
    async chunk(chunk, context) {
      const rate = context.attribute('rate');
      if (rate <= 0) {
        owed = 0;
        context.emit(chunk);
        return;
      }
      owed += chunk.data.length / rate;
      let data = chunk.data;
      const slice = rate * SLICE_MS;
      while (data.length > slice) {
        await context.sleep(SLICE_MS);
        context.emit({ data: data.subarray(0, slice), timestamp: chunk.timestamp });
        data = data.subarray(slice);
        owed -= SLICE_MS;
      }
      const started = performance.now();
      await context.sleep(owed);
      owed -= performance.now() - started;
      context.emit({ data, timestamp: chunk.timestamp });
    },
  };
}
