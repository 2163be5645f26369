import { currentShadowTag } from './shadow-context.js';

export interface ShadowAwareCacheOptions {
  /** Most entries kept over all segments; the least recently used shadow entry goes first, then production's (default 10 000). */
  maxEntries?: number;
  /** How long an entry stays fresh, in milliseconds (default: until evicted). */
  ttlMs?: number;
  /** The clock, for tests (default `Date.now`). */
  now?: () => number;
}

export interface ShadowAwareCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): boolean;
  /** Entries of production and every shadow run. */
  readonly size: number;
  /** Drops every shadow entry (all runs), keeping production's. */
  clearShadow(): void;
  clear(): void;
}

interface Entry<V> {
  value: V;
  expires: number;
}

/**
 * An in-process LRU cache whose entries are kept apart by who wrote them: production, or the
 * shadow run of the current context. Shadow traffic can neither read production entries nor
 * poison them — nor push them out: when the cache is full, shadow entries go first. One run never
 * sees another's.
 */
export function createShadowAwareCache<V>(options: ShadowAwareCacheOptions = {}): ShadowAwareCache<V> {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? Date.now;
  const production = new Map<string, Entry<V>>();
  // Keyed by run id and key; the separator is not a run-id character.
  const shadow = new Map<string, Entry<V>>();
  const segment = (key: string): [Map<string, Entry<V>>, string] => {
    const tag = currentShadowTag();
    return tag === undefined ? [production, key] : [shadow, `${tag.runId}\u0000${key}`];
  };
  const evictOne = (): void => {
    const from = shadow.size > 0 ? shadow : production;
    const oldest = from.keys().next();
    if (oldest.done !== true) from.delete(oldest.value);
  };

  return {
    get(key) {
      const [entries, full] = segment(key);
      const entry = entries.get(full);
      if (entry === undefined) return undefined;
      entries.delete(full);
      if (entry.expires <= now()) return undefined;
      entries.set(full, entry);
      return entry.value;
    },
    set(key, value) {
      const [entries, full] = segment(key);
      entries.delete(full);
      entries.set(full, { value, expires: now() + ttlMs });
      while (production.size + shadow.size > maxEntries) evictOne();
    },
    delete(key) {
      const [entries, full] = segment(key);
      return entries.delete(full);
    },
    get size() {
      return production.size + shadow.size;
    },
    clearShadow() {
      shadow.clear();
    },
    clear() {
      production.clear();
      shadow.clear();
    },
  };
}
