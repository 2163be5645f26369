import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { currentShadowTag, routeShadowRedis, runInShadow, ShadowError, ShadowSwitch } from '../../src/shadow/index.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const shadow = <T>(fn: () => T): T => runInShadow({ runId: 'run-1', via: 'header' }, fn);

let server: TestRedis;
let routing: ShadowSwitch;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(async () => {
  await server.raw.flushdb();
  routing = new ShadowSwitch(true);
  redis?.disconnect();
  redis = routeShadowRedis(new Redis(server.url), { routing, service: 'test-svc' });
});

async function allKeys(): Promise<string[]> {
  return (await server.raw.keys('*')).sort();
}

describe('routeShadowRedis', () => {
  it('sends shadow keys under shadow: and leaves production keys as they are', async () => {
    await redis.set('room:1', 'production');
    await shadow(() => redis.set('room:1', 'shadow'));
    expect(await allKeys()).toEqual(['room:1', 'shadow:room:1']);
    expect(await redis.get('room:1')).toBe('production');
    expect(await shadow(() => redis.get('room:1'))).toBe('shadow');
    expect(await server.raw.get('shadow:room:1')).toBe('shadow');
  });

  it('routes every key of multi-key commands', async () => {
    await shadow(async () => {
      await redis.mset('a', '1', 'b', '2');
      await redis.mset({ c: '3' });
      await redis.rpush('list', 'x');
      await redis.lmove('list', 'list2', 'LEFT', 'RIGHT');
      await redis.zadd('z1', 1, 'm');
      await redis.zunionstore('zu', 1, 'z1');
      await redis.sadd('s1', 'q');
      await redis.sinterstore('si', 's1');
      expect(await redis.mget('a', 'b', 'c')).toEqual(['1', '2', '3']);
      expect(await redis.del('a', 'b')).toBe(2);
    });
    expect(await allKeys()).toEqual(['shadow:c', 'shadow:list2', 'shadow:s1', 'shadow:si', 'shadow:z1', 'shadow:zu']);
  });

  it('routes pipelines and MULTI transactions built inside a shadow context', async () => {
    await shadow(async () => {
      const results = await redis.pipeline().set('p1', '1').incr('p2').get('p1').exec();
      expect(results?.map(([, value]) => value)).toEqual(['OK', 1, '1']);
      await redis.multi().set('m1', '1').hset('h', 'f', 'v').exec();
      await redis.multi([['set', 'm2', '2']]).exec();
      await redis.pipeline([['set', 'p3', '3']]).exec();
    });
    await redis.multi().set('prod', '1').exec();
    expect(await allKeys()).toEqual(['prod', 'shadow:h', 'shadow:m1', 'shadow:m2', 'shadow:p1', 'shadow:p2', 'shadow:p3']);
  });

  it('keeps shadow and production commands apart when autopipelining batches them in one tick', async () => {
    const auto = routeShadowRedis(new Redis(server.url, { enableAutoPipelining: true }), { routing });
    await Promise.all([
      auto.set('k1', 'prod'),
      shadow(() => auto.set('k1', 'shadow')),
      auto.set('k2', 'prod'),
      shadow(() => auto.incr('k3')),
    ]);
    auto.disconnect();
    expect(await allKeys()).toEqual(['k1', 'k2', 'shadow:k1', 'shadow:k3']);
    expect(await server.raw.get('k1')).toBe('prod');
  });

  it('routes EVAL, EVALSHA and defined script keys', async () => {
    const script = "return redis.call('SET', KEYS[1], ARGV[1])";
    redis.defineCommand('setViaScript', { numberOfKeys: 1, lua: script });
    const sha = await server.raw.script('LOAD', script);
    await shadow(async () => {
      await redis.eval(script, 1, 'e1', 'v');
      await redis.evalsha(String(sha), 1, 'e2', 'v');
      await (redis as unknown as { setViaScript(key: string, value: string): Promise<unknown> }).setViaScript('e3', 'v');
    });
    expect(await allKeys()).toEqual(['shadow:e1', 'shadow:e2', 'shadow:e3']);
  });

  it('routes Buffer keys', async () => {
    await shadow(() => redis.set(Buffer.from('bin'), 'v'));
    expect(await allKeys()).toEqual(['shadow:bin']);
    expect((await shadow(() => redis.getBuffer(Buffer.from('bin'))))?.toString()).toBe('v');
  });

  it('shows shadow work its own key names, without the prefix, in KEYS, SCAN and BLPOP', async () => {
    await server.raw.set('prod-only', '1');
    await shadow(async () => {
      await redis.set('s-a', '1');
      await redis.rpush('queue', 'job');
      expect((await redis.keys('*')).sort()).toEqual(['queue', 's-a']);
      const [, scanned] = await redis.scan('0', 'COUNT', 1000);
      expect(scanned.sort()).toEqual(['queue', 's-a']);
      expect(await redis.blpop('queue', 1)).toEqual(['queue', 'job']);
    });
  });

  it('refuses shadow commands when routing is off, writing nothing', async () => {
    routing.set(false);
    const attempt = shadow(() => redis.set('k', 'v'));
    await expect(attempt).rejects.toThrow(/shadow routing is not enabled on test-svc: shadow traffic of run run-1 is refused/);
    await expect(attempt).rejects.toBeInstanceOf(ShadowError);
    const results = await shadow(() => redis.pipeline().set('k', 'v').exec());
    expect(results?.[0]?.[0]).toBeInstanceOf(ShadowError);
    await expect(shadow(() => redis.multi().set('k', 'v').exec())).rejects.toThrow(/EXECABORT/);
    await redis.set('still-prod', '1');
    expect(await allKeys()).toEqual(['still-prod']);
  });

  it('refuses shadow commands whose reach no prefix can scope', async () => {
    await server.raw.set('precious', '1');
    await expect(shadow(() => redis.flushdb())).rejects.toThrow(/FLUSHDB cannot be routed to shadow storage/);
    await expect(shadow(() => redis.call('JSON.SET', 'doc', '$', '{}'))).rejects.toThrow(/JSON.SET cannot be routed/);
    await expect(shadow(() => redis.select(1))).rejects.toThrow(/SELECT cannot be routed/);
    expect(await allKeys()).toEqual(['precious']);
  });

  it('refuses production work that touches shadow keys (the reverse guard)', async () => {
    await server.raw.set('shadow:x', '1');
    await expect(redis.get('shadow:x')).rejects.toThrow(/production GET on test-svc touches shadow key shadow:x/);
    const unguarded = routeShadowRedis(new Redis(server.url), { routing, reverseGuard: false });
    expect(await unguarded.get('shadow:x')).toBe('1');
    unguarded.disconnect();
  });

  it('routes pub/sub channels and delivers shadow messages to consumers inside a shadow context', async () => {
    const subscriber = redis.duplicate();
    const received: { channel: string; message: string; run: string | undefined }[] = [];
    subscriber.on('message', (channel: string, message: string) => {
      received.push({ channel, message, run: currentShadowTag()?.runId });
    });
    await subscriber.subscribe('danmaku');
    const publisher = server.raw;
    expect(await publisher.pubsub('CHANNELS')).toEqual(expect.arrayContaining(['danmaku', 'shadow:danmaku']));
    await redis.publish('danmaku', 'hello');
    await shadow(() => redis.publish('danmaku', 'from-shadow'));
    await until(() => received.length === 2);
    expect(received).toEqual([
      { channel: 'danmaku', message: 'hello', run: undefined },
      { channel: 'danmaku', message: 'from-shadow', run: 'unattributed' },
    ]);
    subscriber.disconnect();
  });

  it('attributes messages on channels subscribed inside a shadow context to that run', async () => {
    const subscriber = redis.duplicate();
    const runs: (string | undefined)[] = [];
    subscriber.on('message', () => runs.push(currentShadowTag()?.runId));
    await shadow(() => subscriber.subscribe('gift'));
    expect(await server.raw.pubsub('CHANNELS')).toEqual(['shadow:gift']);
    await server.raw.publish('shadow:gift', 'x');
    await until(() => runs.length === 1);
    expect(runs).toEqual(['run-1']);
    subscriber.disconnect();
  });
});

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('routeShadowRedis connections', () => {
  it('opens a lazy connection as production even when a shadow request triggers it', async () => {
    const lazy = routeShadowRedis(new Redis(server.url, { lazyConnect: true }), { routing });
    await shadow(() => lazy.set('first', 'shadow'));
    await lazy.set('first', 'production');
    expect(await allKeys()).toEqual(['first', 'shadow:first']);
    const copy = await shadow(async () => {
      const duplicated = lazy.duplicate();
      await duplicated.set('from-copy', '1');
      return duplicated;
    });
    expect(await copy.get('from-copy')).toBeNull();
    expect(await server.raw.get('shadow:from-copy')).toBe('1');
    copy.disconnect();
    lazy.disconnect();
  });

  it('keeps production and shadow subscriptions across a reconnect', async () => {
    const subscriber = redis.duplicate();
    const received: { message: string; run: string | undefined }[] = [];
    subscriber.on('message', (_channel: string, message: string) => received.push({ message, run: currentShadowTag()?.runId }));
    await subscriber.subscribe('rank');
    const reconnected = new Promise((resolve) => subscriber.once('ready', resolve));
    subscriber.disconnect(true);
    await reconnected;
    await until(async () => ((await server.raw.pubsub('CHANNELS')) as string[]).length === 2);
    expect(((await server.raw.pubsub('CHANNELS')) as string[]).sort()).toEqual(['rank', 'shadow:rank']);
    await server.raw.publish('rank', 'p');
    await server.raw.publish('shadow:rank', 's');
    await until(() => received.length === 2);
    expect(received).toEqual([{ message: 'p', run: undefined }, { message: 's', run: 'unattributed' }]);
    subscriber.disconnect();
  });
});

describe('routeShadowRedis refusals inside shared batches', () => {
  it('keeps autopipelined replies in step when a shadow command in the batch is refused', async () => {
    const auto = routeShadowRedis(new Redis(server.url, { enableAutoPipelining: true }), { routing });
    await server.raw.mset('a', 'A', 'c', 'C', 'd', 'D');
    routing.set(false);
    const settled = await Promise.allSettled([auto.get('a'), shadow(() => auto.get('b')), auto.get('c'), auto.get('d')]);
    expect(settled.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error).name))).toEqual(['A', 'ShadowError', 'C', 'D']);
    auto.disconnect();
  });

  it('routes SORT directives given as Buffers, and every MATCH of a SCAN', async () => {
    await server.raw.rpush('ids', '1');
    await shadow(() => redis.rpush('ids', '2'));
    await shadow(() => redis.call('SORT', 'ids', Buffer.from('STORE'), 'leaderboard'));
    expect(await allKeys()).toEqual(['ids', 'shadow:ids', 'shadow:leaderboard']);
    await server.raw.set('user:1:token', 'secret');
    const scanned = await shadow(() => redis.call('SCAN', '0', 'MATCH', 'user:*', 'MATCH', '*', 'COUNT', '1000'));
    expect(JSON.stringify(scanned)).not.toContain('user:1:token');
  });

  it('wraps message listeners added before instrumentation too', async () => {
    const raw = new Redis(server.url);
    const seen: (string | undefined)[] = [];
    raw.on('message', () => seen.push(currentShadowTag()?.runId));
    const subscriber = routeShadowRedis(raw, { routing });
    await subscriber.subscribe('orders');
    await server.raw.publish('shadow:orders', 'x');
    await until(() => seen.length === 1);
    expect(seen).toEqual(['unattributed']);
    subscriber.disconnect();
  });

  it('removes a message listener by the function the caller gave', async () => {
    const subscriber = redis.duplicate();
    const listener = () => undefined;
    subscriber.on('message', listener);
    expect(subscriber.listenerCount('message')).toBe(1);
    subscriber.off('message', listener);
    expect(subscriber.listenerCount('message')).toBe(0);
    subscriber.disconnect();
  });

  it('refuses an empty prefix and instrumentation inside shadow work', () => {
    expect(() => routeShadowRedis(new Redis(server.url, { lazyConnect: true }), { routing, prefix: '' })).toThrow(/must not be empty/);
    expect(() => shadow(() => routeShadowRedis(new Redis(server.url, { lazyConnect: true }), { routing }))).toThrow(/at start-up/);
  });
});

