import type { LoadPlan } from './load-plan.js';
import { cutProfile } from './load-profile.js';

/** Arrivals the profile asks for in its first `upToMs` (the expected count, for Poisson arrivals). */
export function scheduledArrivals(plan: Pick<LoadPlan, 'segments' | 'ratePerSecond'>, upToMs: number): number {
  const area = cutProfile(plan.segments, upToMs).reduce((sum, segment) => sum + ((segment.from + segment.to) / 2) * (segment.end - segment.start), 0);
  return (plan.ratePerSecond * area) / 1000;
}
