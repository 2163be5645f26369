import type { KeyDistribution } from '../scenarios/schema.js';
import { zipfSampler } from './zipf-sampler.js';

type KeyValue = string | number;

/**
 * Draws values of one scenario key exactly as the forecast assumes them (`keyShare`): each hot
 * value takes its share of all draws, the base distribution (zipf, uniform, values, shadow range)
 * the rest.
 */
export function keySampler(key: KeyDistribution, random: () => number, worker: WorkerShare = { index: 0, count: 1 }): () => KeyValue {
  const base = baseSampler(key, random, worker);
  const hot = key.hot ?? [];
  return () => {
    let u = random();
    for (const entry of hot) {
      if (u < entry.share) return entry.value;
      u -= entry.share;
    }
    return base();
  };
}

/** This worker's place among the run's workers: sequences and feeds interleave, so values stay unique. */
export interface WorkerShare {
  index: number;
  count: number;
}

/** Values fed from a list (a CSV column): in order, interleaved between workers, or at random. */
export function feedSampler(values: readonly string[], order: 'sequence' | 'random', random: () => number, worker: WorkerShare): () => KeyValue {
  if (values.length === 0) return () => '';
  if (order === 'random') return () => values[Math.floor(random() * values.length)] ?? '';
  let draw = 0;
  return () => values[(draw++ * worker.count + worker.index) % values.length] ?? '';
}

function baseSampler(key: KeyDistribution, random: () => number, worker: WorkerShare): () => KeyValue {
  if (key.sequence !== undefined) {
    const { start, step } = key.sequence;
    let draw = 0;
    return () => start + (draw++ * worker.count + worker.index) * step;
  }
  if (key.zipf !== undefined) {
    const { n, s, first } = key.zipf;
    const rank = zipfSampler(n, s, random);
    return () => first + rank() - 1;
  }
  if (key.uniform !== undefined) {
    const { min, max } = key.uniform;
    return () => min + Math.floor(random() * (max - min + 1));
  }
  const values = key.values;
  if (values !== undefined) return () => values[Math.floor(random() * values.length)] ?? values[0] ?? '';
  if (key.shadow_range !== undefined) {
    const [low, high] = key.shadow_range;
    return () => low + Math.floor(random() * (high - low + 1));
  }
  // Only hot values given: the schema's rules make their shares sum to 1, so this is a fallback.
  const hot = key.hot ?? [];
  return () => hot[hot.length - 1]?.value ?? '';
}
