import { Redis, ReplyError } from 'ioredis';
import { routeShadowRedis, ShadowError, type ShadowSwitch } from '../shadow/index.js';
import { DANMAKU_KEPT, StoreUnavailable, storageKeys, type DemoStore, type RankEntry } from './demo-store.js';

/** Thrown when the Redis given with `--redis` cannot be reached at start. */
export class RedisUnreachable extends Error {}

/**
 * The demo's storage in a real Redis, through the shadow library's key routing — the same
 * wiring a user's service would have. Commands are written for production; routing does the rest.
 */
export async function connectRedisStore(url: string, routing: ShadowSwitch): Promise<DemoStore> {
  let connected = false;
  let lastError: Error | undefined;
  const client = routeShadowRedis(
    new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      enableAutoPipelining: true,
      // Fail fast at start (the user typed a wrong URL); once up, ride out restarts of Redis.
      retryStrategy: (attempt) => (connected ? Math.min(attempt * 100, 2000) : null),
    }),
    { routing, service: 'the demo store' },
  );
  // Connection trouble surfaces through the commands that fail (answered 503); the event only needs a listener.
  client.on('error', (error: Error) => (lastError = error));
  try {
    await client.connect();
    await client.ping();
    connected = true;
  } catch (error) {
    client.disconnect();
    const reason = lastError ?? (error instanceof Error ? error : new Error(String(error)));
    throw new RedisUnreachable(`cannot reach Redis at ${redactPassword(url)}: ${reason.message}`);
  }

  const store: DemoStore = {
    async enterRoom(room, uid, at) {
      await client.hset(storageKeys.roomEnter(room), uid, String(at));
    },
    async roomViewers(rooms) {
      if (rooms.length === 0) return [];
      const pipeline = client.pipeline();
      for (const room of rooms) pipeline.hlen(storageKeys.roomEnter(room));
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, value]) => {
        if (error) throw error;
        return Number(value);
      });
    },
    async pushDanmaku(room, entry) {
      const key = storageKeys.danmaku(room);
      await client.multi().lpush(key, entry).ltrim(key, 0, DANMAKU_KEPT - 1).exec();
    },
    async recentDanmaku(room, count) {
      return client.lrange(storageKeys.danmaku(room), 0, count - 1);
    },
    async recordGift(room, uid, value) {
      await client.hincrby(storageKeys.giftTotal(room), uid, value);
    },
    async bumpRank(room, uid, value) {
      await client.zincrby(storageKeys.giftRank(room), value, uid);
    },
    async rank(room, top) {
      const flat = await client.zrevrange(storageKeys.giftRank(room), 0, top - 1, 'WITHSCORES');
      const entries: RankEntry[] = [];
      for (let index = 0; index + 1 < flat.length; index += 2) entries.push({ uid: flat[index] ?? '', score: Number(flat[index + 1]) });
      return entries;
    },
    describe: () => `redis ${redactPassword(url)}`,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
  return unavailableOnConnectionErrors(store);
}

/** A Redis that cannot be reached is storage being down: 503, as with the store fault hook. */
function unavailableOnConnectionErrors(store: DemoStore): DemoStore {
  const guard = <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await operation(...args);
      } catch (error) {
        if (error instanceof ShadowError || error instanceof ReplyError || !(error instanceof Error)) throw error;
        throw new StoreUnavailable(`Redis: ${error.message}`);
      }
    };
  return {
    enterRoom: guard(store.enterRoom),
    roomViewers: guard(store.roomViewers),
    pushDanmaku: guard(store.pushDanmaku),
    recentDanmaku: guard(store.recentDanmaku),
    recordGift: guard(store.recordGift),
    bumpRank: guard(store.bumpRank),
    rank: guard(store.rank),
    describe: store.describe,
    close: store.close,
  };
}

function redactPassword(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
