import { currentShadowTag } from './shadow-context.js';

export interface ShadowAwareCacheOptions {
  /** Most entries kept over all segments; the least recently used goes first (default 10 000). */
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

// Production keys and shadow keys can never collide: the separator is not a run-id character.
const PRODUCTION = 'p\u0000';
const shadowSegment = (runId: string): string => `s\u0000${runId}\u0000`;

/**
 * An in-process LRU cache whose entries are kept apart by who wrote them: production, or the
 * shadow run of the current context. Shadow traffic can neither read production entries nor
 * poison them, and one run never sees another's.
 */
export function createShadowAwareCache<V>(options: ShadowAwareCacheOptions = {}): ShadowAwareCache<V> {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<V>>();
  const segmented = (key: string): string => {
    const tag = currentShadowTag();
    return `${tag === undefined ? PRODUCTION : shadowSegment(tag.runId)}${key}`;
  };

  return {
    get(key) {
      const full = segmented(key);
      const entry = entries.get(full);
      if (entry === undefined) return undefined;
      entries.delete(full);
      if (entry.expires <= now()) return undefined;
      entries.set(full, entry);
      return entry.value;
    },
    set(key, value) {
      const full = segmented(key);
      entries.delete(full);
      entries.set(full, { value, expires: now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    delete(key) {
      return entries.delete(segmented(key));
    },
    get size() {
      return entries.size;
    },
    clearShadow() {
      for (const key of entries.keys()) if (!key.startsWith(PRODUCTION)) entries.delete(key);
    },
    clear() {
      entries.clear();
    },
  };
}
