/**
 * A small seeded generator (mulberry32): the same seed gives the same arrivals in every worker,
 * which is what lets workers split one schedule exactly, and a rehearsal's fault proxy roll the same
 * toxicity. Shared by every folder, like errors.ts. Not for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
