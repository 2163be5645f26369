import type { ToxicBehaviour } from './toxic-behaviour.js';

/**
 * Each chunk leaves at its stamp + latency ± U(-jitter, +jitter); the stamp then moves to the
 * departure, so a second latency toxic adds its delay on top (Toxiproxy PR #94). One chunk at a
 * time keeps the order, as Toxiproxy's single goroutine does.
 */
export function latency(): ToxicBehaviour {
  return {
    async chunk(chunk, context) {
      const jitter = context.attribute('jitter');
      const delay = context.attribute('latency') + (jitter > 0 ? (context.random() * 2 - 1) * jitter : 0);
      const departure = chunk.timestamp + delay;
      const wait = departure - performance.now();
      if (wait > 0) await context.sleep(wait);
      context.emit({ data: chunk.data, timestamp: wait > 0 ? departure : performance.now() });
    },
  };
}
