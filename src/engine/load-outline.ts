import type { Plan } from '../scenarios/forecast.js';
import type { Scenario } from '../scenarios/schema.js';
import { peakLevel, profileLength, profileSegments } from './load-profile.js';
import { journeyWeights } from './scenario-load-plan.js';
import { scheduledArrivals } from './scheduled-arrivals.js';

/** What `loadtest` will send for a scenario, as `plan` shows it: the same numbers the engine uses. */
export interface LoadOutline {
  scale: number;
  arrivals: 'poisson' | 'constant';
  /** Journey arrivals per second at level 1 (the scaled forecast peak of every journey). */
  level_one_rate: number;
  peak_rate: number;
  duration_ms: number;
  scheduled_arrivals: number;
  mix: Array<{ journey: string; share: number; rate: number }>;
  thresholds: string[];
  abort: string[];
}

export function outlineLoad(scenario: Scenario, forecast: Plan): LoadOutline | undefined {
  const load = scenario.load;
  if (load === undefined) return undefined;
  const weights = journeyWeights(scenario, forecast);
  const total = weights.reduce((sum, entry) => sum + entry.weight, 0);
  const rate = total * load.scale;
  const segments = profileSegments(load.stages);
  return {
    scale: load.scale,
    arrivals: load.arrivals,
    level_one_rate: rate,
    peak_rate: rate * peakLevel(segments),
    duration_ms: profileLength(segments),
    scheduled_arrivals: Math.round(scheduledArrivals({ segments, ratePerSecond: rate }, profileLength(segments))),
    mix: weights.map((entry) => ({ journey: entry.name, share: total > 0 ? entry.weight / total : 0, rate: entry.weight * load.scale })),
    thresholds: load.thresholds,
    abort: load.abort,
  };
}
