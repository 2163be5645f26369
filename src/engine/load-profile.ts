import type { LoadProfile } from '../scenarios/schema.js';

/** One piece of the load profile: the level moves linearly from `from` to `to` over [start, end) ms. */
export interface LevelSegment {
  start: number;
  end: number;
  from: number;
  to: number;
}

type Stage = LoadProfile['stages'][number];

/**
 * The scenario's stages as level segments over time. The level starts at 0; a ramp moves to its
 * `to`, a hold keeps the level, a step jumps to `to` and stays, a spike jumps to `to` and falls
 * back to the level before it. Levels are shares of the scaled forecast rate (1 = the peak).
 */
export function profileSegments(stages: readonly Stage[]): LevelSegment[] {
  const segments: LevelSegment[] = [];
  let level = 0;
  let at = 0;
  for (const stage of stages) {
    const [length, from, to, after] = stageShape(stage, level);
    if (length > 0) segments.push({ start: at, end: at + length, from, to });
    at += length;
    level = after;
  }
  return segments;
}

/** Stage length and the level it starts at, ends at, and leaves behind. */
function stageShape(stage: Stage, level: number): [number, number, number, number] {
  if (stage.ramp !== undefined) return [stage.ramp, level, stage.to ?? level, stage.to ?? level];
  if (stage.step !== undefined) return [stage.step, stage.to ?? level, stage.to ?? level, stage.to ?? level];
  if (stage.spike !== undefined) return [stage.spike, stage.to ?? level, stage.to ?? level, level];
  return [stage.hold ?? 0, level, level, level];
}

export function profileLength(segments: readonly LevelSegment[]): number {
  return segments.at(-1)?.end ?? 0;
}

/** The level at `t` ms; 0 outside the profile. */
export function levelAt(segments: readonly LevelSegment[], t: number): number {
  const segment = segments.find((candidate) => t >= candidate.start && t < candidate.end);
  if (segment === undefined) return 0;
  return segment.from + ((segment.to - segment.from) * (t - segment.start)) / (segment.end - segment.start);
}

/** The profile cut at `limit` ms (`--duration` cuts stages, never stretches them). */
export function cutProfile(segments: readonly LevelSegment[], limit: number): LevelSegment[] {
  return segments
    .filter((segment) => segment.start < limit)
    .map((segment) => (segment.end <= limit ? segment : { ...segment, end: limit, to: levelAt([segment], limit - 1e-9) }));
}

/** The highest level anywhere in the profile. */
export function peakLevel(segments: readonly LevelSegment[]): number {
  return segments.reduce((peak, segment) => Math.max(peak, segment.from, segment.to), 0);
}
