import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { IsolationStore } from '../../src/shadow/isolation-stores.js';
import { startPrivateRedis } from '../../src/demo/private-redis.js';

export { freePort } from '../../src/demo/private-redis.js';

export interface TestRedis {
  url: string;
  port: number;
  /** A raw client (no shadow routing) for looking at what really landed. */
  raw: Redis;
  stop(): Promise<void>;
}

/** Starts a private, memory-only redis-server for one test file; never the shared instance. */
export async function startRedis(): Promise<TestRedis> {
  const server = await startPrivateRedis({ extraArgs: ['--notify-keyspace-events', 'KEA'] });
  const raw = new Redis(server.url);
  return {
    url: server.url,
    port: server.port,
    raw,
    async stop() {
      raw.disconnect();
      await server.stop();
    },
  };
}

/** One private redis-server for the test file (started before, stopped after), emptied before each test. */
export function usePrivateRedis(): Pick<TestRedis, 'url' | 'port' | 'raw'> {
  let started: TestRedis | undefined;
  const get = (): TestRedis => {
    if (started === undefined) throw new Error('usePrivateRedis: the server starts in beforeAll; use it inside tests and hooks');
    return started;
  };
  beforeAll(async () => {
    started = await startRedis();
  });
  afterAll(async () => {
    await started?.stop();
  });
  beforeEach(async () => {
    await started?.raw.flushdb();
  });
  return {
    get url() {
      return get().url;
    },
    get port() {
      return get().port;
    },
    get raw() {
      return get().raw;
    },
  };
}

/** An isolation store (`shadow:` prefix) on a test Redis, for the checks that take one. */
export function isolationStoreOn(redis: Pick<TestRedis, 'raw'>): IsolationStore {
  return {
    name: 'r',
    prefix: 'shadow:',
    where: 'test',
    get redis() {
      return redis.raw;
    },
  };
}
