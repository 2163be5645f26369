import { randomUUID } from 'node:crypto';
import { searchKeyForTokens } from '../shadow/redis-token-search.js';
import { writeRecord, type CompiledStep } from './compiled-step.js';
import { feedSampler, keySampler } from './key-sampler.js';
import type { PlannedJourney } from './load-plan.js';
import type { PreflightOptions } from './shadow-preflight.js';

/** Fresh shadow ids drawn again when one is already in storage (left by an earlier run). */
const DRAWS = 3;

/** The values of one probe: keys drawn as the load would, shadow ids fresh, a marker of its own. */
export function drawVars(options: PreflightOptions, journey: PlannedJourney, nonce: string): Map<string, string | number> {
  const random = options.random ?? Math.random;
  const vars = new Map<string, string | number>();
  for (const [name, source] of Object.entries(options.plan.keys)) {
    const range = options.idRanges[name];
    if (range !== undefined) vars.set(name, freshId(range, random));
    else vars.set(name, (source.kind === 'feed' ? feedSampler(source.values, 'random', random, { index: 0, count: 1 }) : keySampler(source.distribution, random))());
  }
  vars.set('seq', 0);
  vars.set('run_id', options.plan.runId);
  vars.set('uuid', randomUUID());
  vars.set('now', Date.now());
  vars.set('marker', `${options.plan.isolation.markerPrefix}probe.${nonce}.${journey.name}`);
  return vars;
}

function freshId([low, high]: readonly [number, number], random: () => number): number {
  return low + Math.floor(random() * (high - low + 1));
}

export function tokensOf(step: CompiledStep, vars: Map<string, string | number>): string[] {
  return writeRecord(step, vars).tokens;
}

/**
 * Shadow ids are drawn at random from their range, so one may already be stored by an earlier
 * run: it would prove nothing. Draws again until none is; says why when it cannot.
 */
export async function drawUntilUnseen(options: PreflightOptions, step: CompiledStep, vars: Map<string, string | number>): Promise<string | undefined> {
  const random = options.random ?? Math.random;
  let seen: string | undefined;
  for (let draw = 0; draw < DRAWS; draw += 1) {
    seen = undefined;
    const { keys, tokens } = writeRecord(step, vars);
    for (const written of keys) {
      const store = options.stores.find((candidate) => candidate.name === written.store);
      if (store === undefined) continue;
      for (const key of [written.key, `${store.prefix}${written.key}`]) {
        const search = await searchKeyForTokens(store.redis, key, tokens);
        const hit = search.found[0];
        if (hit !== undefined) seen = `${hit.token} is already in ${key} (${hit.where}) before the probe was sent`;
      }
    }
    if (seen === undefined) return undefined;
    for (const key of step.idKeys) {
      const range = options.idRanges[key];
      if (range !== undefined) vars.set(key, freshId(range, random));
    }
  }
  return `${seen}; clean the shadow store (live-assure shadow cleanup) or check production for leaked shadow ids`;
}
