import type { ToxicBehaviour } from './toxic-behaviour.js';

/**
 * Toxiproxy's slicer: each chunk is cut, by halving recursively with ± size_variation, into
 * pieces of about average_size bytes, with `delay` µs after each piece. Node's timers count whole
 * milliseconds, so a delay under 1000 µs waits 1 ms (0 waits nothing).
 */
export function slicer(): ToxicBehaviour {
  return {
    async chunk(chunk, context) {
      const cuts = cutPoints(0, chunk.data.length, context.attribute('average_size'), context.attribute('size_variation'), context.random);
      const delayMs = context.attribute('delay') / 1000;
      for (let index = 1; index < cuts.length; index += 1) {
        context.emit({ data: chunk.data.subarray(cuts[index - 1], cuts[index]), timestamp: chunk.timestamp });
        if (delayMs > 0) await context.sleep(Math.max(1, delayMs));
      }
    },
  };
}

/** Offsets [start, …, end] of the pieces; variation < average keeps every cut inside its span. */
function cutPoints(start: number, end: number, average: number, variation: number, random: () => number): number[] {
  if (end - start - average <= variation) return [start, end];
  const offset = variation > 0 ? Math.floor(random() * variation * 2) - variation : 0;
  const middle = start + Math.floor((end - start) / 2) + offset;
  return [...cutPoints(start, middle, average, variation, random), ...cutPoints(middle, end, average, variation, random).slice(1)];
}
