import type { Redis } from 'ioredis';
import { connectFailFastRedis } from './fail-fast-redis.js';
import { redactRedisUrl } from './redis-url.js';

/** A store a run's writes may land in, connected: production keys are `name`, shadow keys `prefix + name`. */
export interface IsolationStore {
  name: string;
  prefix: string;
  /** The URL without its password, for reports. */
  where: string;
  redis: Redis;
  /** The embedded demo's private Redis: it goes away with the demo, shadow keys and all. */
  ephemeral?: boolean;
}

/** Connects to every store, or to none: the first that cannot be reached fails them all (its message says which). */
export async function connectIsolationStores(stores: ReadonlyArray<{ name: string; url: string; prefix: string; ephemeral?: boolean }>): Promise<IsolationStore[]> {
  const connected: IsolationStore[] = [];
  try {
    for (const store of stores) {
      const redis = await connectFailFastRedis(store.url);
      connected.push({ name: store.name, prefix: store.prefix, where: redactRedisUrl(store.url), redis, ...(store.ephemeral === true ? { ephemeral: true } : {}) });
    }
  } catch (error) {
    closeIsolationStores(connected);
    throw error;
  }
  return connected;
}

export function closeIsolationStores(stores: readonly IsolationStore[]): void {
  for (const store of stores) store.redis.disconnect();
}
