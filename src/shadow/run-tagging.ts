import { setBaggageMember } from './baggage.js';
import { SHADOW_BAGGAGE_KEY } from './shadow-tag.js';

/** The headers every request of a run carries: the tag header and the W3C baggage member, both naming the run. */
export function shadowTagHeaders(header: string, runId: string): Record<string, string> {
  return { [header.toLowerCase()]: runId, baggage: setBaggageMember(undefined, SHADOW_BAGGAGE_KEY, runId) };
}

/**
 * What every `{{marker}}` of a run starts with. `~` is outside the run-id alphabet, so one run's
 * prefix is never the start of another's (`la~run1~` vs `la~run12~`), and it needs no escaping in
 * URLs, JSON or Redis globs.
 */
export function markerPrefix(runId: string): string {
  return `la~${runId}~`;
}
