import type { Journey, Scenario } from './schema.js';

/** When the event ends: the last point of the audience curve. */
export function eventEndMs(scenario: Scenario): number {
  return scenario.audience.curve.at(-1)?.at ?? 0;
}

/** Concurrent viewers at `t` ms: linear between curve points, flat before the first and after the last. */
export function viewersAt(scenario: Scenario, t: number): number {
  const curve = scenario.audience.curve;
  const first = curve[0];
  if (first === undefined || t <= first.at) return scenario.audience.peak * (first?.share ?? 0);
  for (let index = 1; index < curve.length; index++) {
    const left = curve[index - 1];
    const right = curve[index];
    if (left === undefined || right === undefined) break;
    if (t <= right.at) {
      const share = left.share + ((right.share - left.share) * (t - left.at)) / (right.at - left.at);
      return scenario.audience.peak * share;
    }
  }
  return scenario.audience.peak * (curve.at(-1)?.share ?? 0);
}

/**
 * The journey's surge multiplier at `t`. A window covers [at, at + for): back-to-back surges of two
 * journeys must not both count at the instant one hands over to the other. Overlapping surges of one
 * journey take the largest multiplier rather than compounding.
 */
function surgeFactorAt(journey: Journey, t: number): number {
  let factor = 1;
  for (const surge of journey.surges) {
    if (t >= surge.at && t < surge.at + surge.for) factor = Math.max(factor, surge.x);
  }
  return factor;
}

/** Journey arrivals per second at `t`: viewers × rate per viewer × surge, or the fixed rate × surge. */
export function journeyRateAt(scenario: Scenario, journey: Journey, t: number): number {
  const base = journey.per_viewer !== undefined ? viewersAt(scenario, t) * journey.per_viewer : (journey.rate ?? 0);
  return base * surgeFactorAt(journey, t);
}

/** How far before a surge's end the forecast looks, to see the surge's last moment. */
const SURGE_EDGE_MS = 1;

/**
 * The instants the forecast evaluates: every curve point and a surge's start and last moment (where
 * peaks of piecewise-linear rates sit), plus an even grid, because asynchronous flush floors make
 * some sums non-linear.
 */
export function forecastInstants(scenario: Scenario, gridPoints = 2000): number[] {
  const end = eventEndMs(scenario);
  const instants = new Set<number>(scenario.audience.curve.map((point) => point.at));
  for (const journey of Object.values(scenario.journeys)) {
    for (const surge of journey.surges) {
      const last = surge.at + surge.for - SURGE_EDGE_MS;
      for (const t of [surge.at, last, surge.at + surge.for]) if (t >= 0 && t <= end) instants.add(t);
    }
  }
  const step = Math.max(1000, end / gridPoints);
  for (let t = 0; t < end; t += step) instants.add(Math.round(t));
  instants.add(end);
  return [...instants].sort((a, b) => a - b);
}
