import { connect } from 'node:net';
import { Redis, ReplyError } from 'ioredis';
import { withinTimeout } from '../shadow/fail-fast-redis.js';
import { routeShadowRedis, ShadowError, type ShadowSwitch } from '../shadow/index.js';
import { redactRedisUrl } from '../shadow/redis-url.js';
import { aroundOperations, DANMAKU_KEPT, StoreUnavailable, storageKeys, type DemoStore, type RankEntry } from './demo-store.js';

/** Thrown when the Redis given with `--redis` cannot be reached at start. */
export class RedisUnreachable extends Error {}

/**
 * The demo's storage in a real Redis, through the shadow library's key routing — the same
 * wiring a user's service would have. Commands are written for production; routing does the rest.
 */
export async function connectRedisStore(url: string, routing: ShadowSwitch): Promise<DemoStore> {
  // A refused connection is told at once; leaving it to ioredis would also keep the process
  // alive for its connect timeout after the start has failed.
  await assertAcceptsConnections(url);
  let connected = false;
  let lastError: Error | undefined;
  const client = routeShadowRedis(
    new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // While Redis is away, fail at once (503) rather than queue; and never wait long on an answer.
      enableOfflineQueue: false,
      commandTimeout: 2000,
      enableAutoPipelining: true,
      // Fail fast at start (the user typed a wrong URL); once up, ride out restarts of Redis.
      retryStrategy: (attempt) => (connected ? Math.min(attempt * 100, 2000) : null),
    }),
    { routing, service: 'the demo store' },
  );
  // Connection trouble surfaces through the commands that fail (answered 503); the event only needs a listener.
  client.on('error', (error: Error) => (lastError = error));
  try {
    await withinTimeout(async () => {
      await client.connect();
      await client.ping();
      // ioredis reports a SELECT it could not make as an event and goes on in database 0.
      const database = new URL(url).pathname.slice(1);
      if (/^\d+$/.test(database)) await client.select(Number(database));
    }, START_TIMEOUT_MS);
    connected = true;
  } catch (error) {
    client.disconnect();
    const thrown = error instanceof Error ? error : new Error(String(error));
    const reason = thrown.message.startsWith('no answer within') ? thrown : (lastError ?? thrown);
    throw new RedisUnreachable(`cannot reach Redis at ${redactRedisUrl(url)}: ${reason.message}`);
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
      const results = (await client.multi().lpush(key, entry).ltrim(key, 0, DANMAKU_KEPT - 1).exec()) ?? [];
      const failed = results.find(([error]) => error !== null)?.[0];
      if (failed) throw failed;
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
    async health() {
      try {
        return (await client.ping()) === 'PONG' ? 'ok' : 'unexpected PING answer';
      } catch (error) {
        return `down: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    describe: () => `redis ${redactRedisUrl(url)}`,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
  return unavailableOnConnectionErrors(store);
}

/** A Redis that cannot be reached is storage being down: 503, as with the store fault hook. */
function unavailableOnConnectionErrors(store: DemoStore): DemoStore {
  return aroundOperations(store, async (operation) => {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ShadowError || error instanceof ReplyError || !(error instanceof Error)) throw error;
      throw new StoreUnavailable(`Redis: ${error.message}`);
    }
  });
}

const START_TIMEOUT_MS = 3000;

async function assertAcceptsConnections(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port: Number(port || 6379), timeout: START_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new RedisUnreachable(`cannot reach Redis at ${redactRedisUrl(url)}: no connection within ${START_TIMEOUT_MS} ms`));
    });
    socket.once('error', (error) => reject(new RedisUnreachable(`cannot reach Redis at ${redactRedisUrl(url)}: ${error.message}`)));
  });
}
