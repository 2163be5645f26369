import fc from 'fast-check';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectFailFastRedis } from '../../src/shadow/fail-fast-redis.js';
import { cleanupShadowKeys, ShadowCleanupFailed, type CleanupProgress } from '../../src/shadow/redis-cleanup.js';
import { usePrivateRedis } from '../helpers/redis-server.js';

const server = usePrivateRedis();
let raw: Redis;
beforeAll(() => {
  raw = server.raw;
});

/** Loads `count` string keys `prefix<i>` in one pipeline and returns their names. */
async function seed(prefix: string, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, index) => `${prefix}${index}`);
  const pipeline = raw.pipeline();
  for (const key of keys) pipeline.set(key, 'v');
  await pipeline.exec();
  return keys;
}

async function seedEveryType(prefix: string): Promise<void> {
  await raw.set(`${prefix}string`, 'v');
  await raw.hset(`${prefix}hash`, 'field', 'v');
  await raw.rpush(`${prefix}list`, 'a', 'b');
  await raw.sadd(`${prefix}set`, 'a');
  await raw.zadd(`${prefix}zset`, 1, 'a');
  await raw.xadd(`${prefix}stream`, '*', 'field', 'v');
  await raw.pfadd(`${prefix}hll`, 'a');
  await raw.set(`${prefix}expiring`, 'v', 'EX', 600);
}

describe('cleanupShadowKeys', () => {
  it('deletes every key under the prefix, of every type, and nothing else', async () => {
    await seedEveryType('shadow:');
    await seedEveryType('prod:');
    await raw.set('shadow', 'look-alike');
    const result = await cleanupShadowKeys(raw, { prefix: 'shadow:', batch: 3 });
    expect(result).toMatchObject({ prefix: 'shadow:', scanned_keys: 8, matched: 8, deleted: 8, dry_run: false, complete: true });
    expect(result.elapsed_ms).toBeGreaterThanOrEqual(0);
    expect((await raw.keys('*')).sort()).toEqual(['prod:expiring', 'prod:hash', 'prod:hll', 'prod:list', 'prod:set', 'prod:stream', 'prod:string', 'prod:zset', 'shadow']);
  });

  it('counts in a dry run and deletes nothing', async () => {
    await seed('shadow:', 2500);
    await seed('prod:', 10);
    const result = await cleanupShadowKeys(raw, { prefix: 'shadow:', dryRun: true });
    expect(result).toMatchObject({ scanned_keys: 2500, matched: 2500, deleted: 0, dry_run: true, complete: true });
    expect(await raw.dbsize()).toBe(2510);
  });

  it('reports progress: DBSIZE, the share of the keyspace scanned (growing with the keys seen), the totals', async () => {
    await seed('shadow:', 12_000);
    await seed('prod:', 100);
    const seen: CleanupProgress[] = [];
    const result = await cleanupShadowKeys(raw, { prefix: 'shadow:', batch: 1000, onProgress: (progress) => seen.push(progress) });
    expect(seen.length).toBeGreaterThanOrEqual(12);
    expect(seen.every((progress) => progress.db_keys === 12_100)).toBe(true);
    for (const [index, progress] of seen.entries()) {
      expect(progress.scanned_share).toBeGreaterThanOrEqual(seen[index - 1]?.scanned_share ?? 0);
      // The keys are spread evenly over the hash table, so the share walked is the share of keys seen.
      if (progress.scanned_share < 1) expect(progress.scanned_share).toBeCloseTo(progress.scanned_keys / 12_000, 1);
    }
    // A table Redis shrinks midway (most keys are gone) may hand a key out twice; UNLINK counts it once.
    expect(seen.at(-1)).toMatchObject({ deleted: 12_000, db_keys: 12_100, scanned_share: 1 });
    expect(seen.at(-1)?.matched).toBeGreaterThanOrEqual(12_000);
    expect(result.deleted).toBe(12_000);
  });

  it('stops when the signal aborts, and a re-run deletes the rest', async () => {
    await seed('shadow:', 30_000);
    await seed('prod:', 50);
    const controller = new AbortController();
    const first = await cleanupShadowKeys(raw, { prefix: 'shadow:', signal: controller.signal, onProgress: () => controller.abort() });
    expect(first.complete).toBe(false);
    expect(first.deleted).toBeGreaterThan(0);
    expect(first.deleted).toBeLessThan(30_000);
    expect(await raw.dbsize()).toBe(30_050 - first.deleted);
    const second = await cleanupShadowKeys(raw, { prefix: 'shadow:' });
    expect(second.complete).toBe(true);
    expect(first.deleted + second.deleted).toBe(30_000);
    expect(await raw.dbsize()).toBe(50);
  });

  it('counts only what it removed when someone else deletes keys meanwhile', async () => {
    const keys = await seed('shadow:', 20_000);
    let removedByOthers: Promise<number> | undefined;
    const cleaner = raw.duplicate();
    const result = await cleanupShadowKeys(cleaner, {
      prefix: 'shadow:',
      onProgress: () => (removedByOthers ??= raw.unlink(keys)),
    }).finally(() => cleaner.disconnect());
    expect(result.complete).toBe(true);
    expect(result.deleted + (await (removedByOthers ?? Promise.resolve(0)))).toBe(20_000);
    expect(await raw.dbsize()).toBe(0);
  });

  it('fails with the counts so far when UNLINK is refused, and leaves the rest for a re-run', async () => {
    await seed('shadow:', 50);
    await raw.acl('SETUSER', 'no-unlink', 'on', '>secret', '~*', '+@all', '-unlink');
    const limited = new Redis(server.url, { username: 'no-unlink', password: 'secret' });
    try {
      const failed: unknown = await cleanupShadowKeys(limited, { prefix: 'shadow:' }).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(ShadowCleanupFailed);
      if (!(failed instanceof ShadowCleanupFailed)) return;
      expect(failed.message).toMatch(/NOPERM/);
      expect(failed.progress).toMatchObject({ scanned_keys: 50, matched: 50, deleted: 0 });
    } finally {
      limited.disconnect();
    }
    expect(await raw.dbsize()).toBe(50);
    expect((await cleanupShadowKeys(raw, { prefix: 'shadow:' })).deleted).toBe(50);
  });

  it('fails, not hangs, when the connection drops midway', async () => {
    await seed('shadow:', 40_000);
    const redis = await connectFailFastRedis(server.url);
    const id = await redis.client('ID');
    let killed = false;
    const failed: unknown = await cleanupShadowKeys(redis, {
      prefix: 'shadow:',
      onProgress: () => {
        if (!killed) void raw.client('KILL', 'ID', String(id));
        killed = true;
      },
    }).catch((error: unknown) => error);
    redis.disconnect();
    expect(failed).toBeInstanceOf(ShadowCleanupFailed);
    const left = await raw.dbsize();
    expect(left).toBeGreaterThan(0);
    expect((await cleanupShadowKeys(raw, { prefix: 'shadow:' })).deleted).toBe(left);
  });

  it('refuses an empty prefix and a client with a keyPrefix', async () => {
    await raw.set('k', 'v');
    await expect(cleanupShadowKeys(raw, { prefix: '' })).rejects.toThrow(/must not be empty/);
    const prefixed = new Redis(server.url, { keyPrefix: 'app:', lazyConnect: true });
    await expect(cleanupShadowKeys(prefixed, { prefix: 'shadow:' })).rejects.toThrow(/keyPrefix/);
    prefixed.disconnect();
    expect(await raw.dbsize()).toBe(1);
  });
});

describe('cleanupShadowKeys over adversarial key names', () => {
  const prefixes = ['shadow:', 'sh*dow[1]:', 'a?b\\c:', '[', '\\', '*', 'ß✓:', 'nul\u0000:', 'x]y[z-', 'run-1\\*'];
  /** Names that differ from the prefix by one character, case, an escape or a leading byte. */
  const lookAlikes = (prefix: string): string[] => [
    prefix.slice(0, -1),
    `${prefix.slice(0, -1)};`,
    prefix.toUpperCase() === prefix ? prefix.toLowerCase() : prefix.toUpperCase(),
    `${prefix.slice(0, -1)}\\${prefix.slice(-1)}`,
    `x${prefix}`,
    prefix.replace(/[*?[\]\\]/g, 'a'),
    'shadow',
    'shadow;',
    'Shadow:',
    'shadow\\:',
    'xshadow:',
  ];
  const suffix = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('*', '?', '[', ']', '\\', '[a-z]', '\\*'),
  );
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 16 }).map((array) => Buffer.from(array)),
    fc.constantFrom(Buffer.from([0xff, 0xfe, 0x00]), Buffer.from([0xc3]), Buffer.from([0x00])),
  );
  const long = fc.integer({ min: 10_000, max: 100_000 }).map((length) => 'k'.repeat(length));
  const scenario = fc
    .record({
      prefix: fc.oneof(fc.constantFrom(...prefixes), fc.string({ minLength: 1, maxLength: 6 })),
      inside: fc.array(fc.oneof({ weight: 5, arbitrary: suffix.map((text) => Buffer.from(text)) }, { weight: 3, arbitrary: bytes }, { weight: 1, arbitrary: long.map((text) => Buffer.from(text)) }), { maxLength: 12 }),
      outside: fc.array(fc.oneof({ weight: 5, arbitrary: suffix }, { weight: 3, arbitrary: bytes }, { weight: 1, arbitrary: long }), { maxLength: 12 }),
      batch: fc.integer({ min: 1, max: 5 }),
    })
    .map(({ prefix, inside, outside, batch }) => {
      const head = Buffer.from(prefix);
      const insideKeys = inside.map((tail) => Buffer.concat([head, tail]));
      const outsideKeys = [
        ...lookAlikes(prefix).flatMap((alike) => outside.slice(0, 3).map((tail) => Buffer.concat([Buffer.from(alike), Buffer.from(tail)]))),
        ...lookAlikes(prefix).map((alike) => Buffer.from(alike)),
        ...outside.map((tail) => (typeof tail === 'string' ? Buffer.from(tail) : tail)),
      ].filter((key) => !key.subarray(0, head.length).equals(head));
      return { prefix, insideKeys, outsideKeys, batch };
    });

  it('deletes exactly the keys whose bytes start with the prefix, whatever the names', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ prefix, insideKeys, outsideKeys, batch }) => {
        await raw.flushdb();
        const pipeline = raw.pipeline();
        outsideKeys.forEach((key, index) => pipeline.set(key, `keep-${index}`));
        for (const key of insideKeys) pipeline.set(key, 'shadow');
        await pipeline.exec();
        const distinctInside = new Set(insideKeys.map((key) => key.toString('hex'))).size;

        const result = await cleanupShadowKeys(raw, { prefix, batch });

        expect(result.deleted).toBe(distinctInside);
        const values = outsideKeys.length === 0 ? [] : await raw.mgetBuffer(outsideKeys);
        // The last SET of a repeated name wins; every name outside must still hold a kept value.
        values.forEach((value) => expect(value?.toString()).toMatch(/^keep-\d+$/));
        const left = insideKeys.length === 0 ? 0 : await raw.exists(insideKeys);
        expect(left).toBe(0);
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});
