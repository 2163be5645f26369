import { currentShadowTag } from './shadow-context.js';
import { ShadowError, shadowNotReady } from './shadow-errors.js';
import type { ShadowSwitch } from './shadow-switch.js';

export const DEFAULT_SHADOW_PREFIX = 'shadow:';

export interface StorageNameOptions {
  routing: ShadowSwitch;
  /** Prepended to names in shadow work (default `shadow:`). */
  prefix?: string;
  /** Names this service in refusals. */
  service?: string;
}

/**
 * The name a storage object (key, table, topic, file) must have for the work running now:
 * `<prefix><name>` in shadow work, `name` in production. For stores with no routing wrapper of
 * their own; throws when a shadow context meets a service whose routing is off.
 */
export function shadowStorageName(name: string, options: StorageNameOptions): string {
  const tag = currentShadowTag();
  if (tag === undefined) return name;
  if (!options.routing.enabled) throw shadowNotReady(options.service ?? 'this service', tag.runId);
  const prefix = options.prefix ?? DEFAULT_SHADOW_PREFIX;
  if (prefix === '') throw new ShadowError('shadow_unroutable', 'the shadow prefix must not be empty: shadow names would be production names');
  return `${prefix}${name}`;
}
