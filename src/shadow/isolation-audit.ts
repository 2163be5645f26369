import type { IsolationStore } from './isolation-stores.js';
import { leakHits, type LeakHit } from './leak-evidence.js';
import { uniqueRequests } from './leak-sentinel.js';
import { escapeRedisGlob } from './redis-glob.js';
import { searchKeysForTokens } from './redis-token-search.js';
import type { WriteRecord } from './write-record.js';

/** Production keys of the declared shapes read for the run's marker: bounded, so an audit of a big keyspace ends. */
const MARKER_SCAN_KEYS = 10_000;
const HITS_KEPT = 20;

export interface AuditReport {
  /** Sampled writes whose production keys were read again for their tokens. */
  writes_checked: number;
  /** Production keys looked up (the sampled ones, and those of the declared shapes read for the run's marker); absent ones count. */
  production_keys_checked: number;
  /** Places this run's markers or shadow ids were found in production: must be 0. */
  production_hits: number;
  hits: LeakHit[];
  /** Keys under each store's shadow prefix after the run: what cleanup deletes. */
  shadow_keys: Record<string, number>;
  /** Whether every production key of the declared shapes was read for the marker (false past the bound). */
  marker_scan_complete: boolean;
}

export interface AuditInput {
  sample: readonly WriteRecord[];
  /** Redis globs of the production key shapes the scenario writes (`danmaku:*`), by store. */
  shapes: ReadonlyArray<{ store: string; glob: string }>;
  markerPrefix: string;
}

/**
 * After the run: the sampled writes' production keys are read again, whole this time, for the
 * run's tokens; production keys of the declared shapes are read for the run's marker; and the
 * run's shadow keys are counted.
 */
export async function auditIsolation(stores: readonly IsolationStore[], input: AuditInput): Promise<AuditReport> {
  const report: AuditReport = { writes_checked: input.sample.length, production_keys_checked: 0, production_hits: 0, hits: [], shadow_keys: {}, marker_scan_complete: true };
  const record = (found: LeakHit[]): void => {
    report.production_hits += found.length;
    report.hits.push(...found.slice(0, HITS_KEPT - report.hits.length));
  };
  for (const store of stores) {
    const requests = uniqueRequests(input.sample, store.name);
    const searches = await searchKeysForTokens(store.redis, requests);
    report.production_keys_checked += requests.length;
    searches.forEach((search, index) => record(leakHits(store.name, search, requests[index]?.step)));

    const globs = input.shapes.filter((shape) => shape.store === store.name).map((shape) => shape.glob);
    const production = new Set<string>();
    for (const glob of globs) {
      const scanned = await scanKeys(store, glob, MARKER_SCAN_KEYS - production.size);
      for (const key of scanned.keys) if (!key.startsWith(store.prefix)) production.add(key);
      if (!scanned.complete) report.marker_scan_complete = false;
    }
    const markerSearches = await searchKeysForTokens(store.redis, [...production].map((key) => ({ key, tokens: [input.markerPrefix] })));
    report.production_keys_checked += production.size;
    for (const search of markerSearches) record(leakHits(store.name, search));

    // Every key under the prefix, as cleanup sees them: shadow keys carry no run id, so the run's are all there are.
    report.shadow_keys[store.name] = (await scanKeys(store, `${escapeRedisGlob(store.prefix)}*`, Number.POSITIVE_INFINITY)).keys.length;
  }
  return report;
}

async function scanKeys(store: IsolationStore, match: string, limit: number): Promise<{ keys: string[]; complete: boolean }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await store.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      if (keys.length >= limit) return { keys, complete: false };
      keys.push(key);
    }
  } while (cursor !== '0');
  return { keys, complete: true };
}
