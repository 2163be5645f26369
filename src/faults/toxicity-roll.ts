import { seededRandom } from '../seeded-random.js';

/**
 * Deliberate fix of Toxiproxy, which draws `rand.Float32() < toxicity` again every time a stub
 * restarts (any toxic added, updated or removed on the link), so a connection's fate can flip
 * mid-rehearsal and no two runs agree. Here each (proxy, connection, toxic) gets one draw from a
 * generator seeded by the set's seed: the same seed picks the same connections in every
 * rehearsal, and raising toxicity only adds connections to the affected set.
 */
export function toxicityDraw(seed: number, proxy: string, connection: number, toxic: string): number {
  return seededRandom(hashKey(seed, proxy, String(connection), toxic))();
}

/** The per-link generator for jitter and slicer sizes, so those repeat with the seed too. */
export function linkRandom(seed: number, proxy: string, connection: number, direction: string): () => number {
  return seededRandom(hashKey(seed, proxy, String(connection), direction));
}

// FNV-1a over the parts, NUL-separated so ("a", "bc") and ("ab", "c") differ.
function hashKey(seed: number, ...parts: string[]): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (const character of parts.join('\0')) {
    hash ^= character.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
