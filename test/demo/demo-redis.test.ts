import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoPlatform } from '../../src/demo/demo-platform.js';
import { SHADOW, startDemo, type DemoUnderTest } from '../helpers/demo-client.js';
import { freePort, startRedis, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
let demo: DemoUnderTest | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await demo?.close();
  demo = undefined;
  await redis.raw.flushdb();
});

async function keyTypes(): Promise<Record<string, string>> {
  const keys = (await redis.raw.keys('*')).sort();
  return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await redis.raw.type(key)] as const)));
}

async function writeEverything(headers: Record<string, string>): Promise<void> {
  expect((await demo!.post('/room/enter', { room_id: 1, uid: 42 }, headers)).status).toBe(200);
  expect((await demo!.post('/danmaku/send', { room_id: 1, uid: 42, msg: 'hi' }, headers)).status).toBe(200);
  expect((await demo!.post('/gift/send', { room_id: 1, uid: 42, gift_id: 3 }, headers)).status).toBe(200);
}

describe('demo platform on a real Redis', () => {
  it('writes the contract keys: shadow work only under shadow:, production only unprefixed', async () => {
    demo = await startDemo({ redisUrl: redis.url });
    expect(demo.platform.storage).toBe(`redis ${redis.url}`);
    await writeEverything(SHADOW);
    expect(await keyTypes()).toEqual({
      'shadow:danmaku:1': 'list',
      'shadow:gift:rank:1': 'zset',
      'shadow:gift:total:1': 'hash',
      'shadow:room:enter:1': 'hash',
    });
    await writeEverything({});
    expect(await keyTypes()).toEqual({
      'danmaku:1': 'list',
      'gift:rank:1': 'zset',
      'gift:total:1': 'hash',
      'room:enter:1': 'hash',
      'shadow:danmaku:1': 'list',
      'shadow:gift:rank:1': 'zset',
      'shadow:gift:total:1': 'hash',
      'shadow:room:enter:1': 'hash',
    });
    expect(await redis.raw.zrevrange('gift:rank:1', 0, -1, 'WITHSCORES')).toEqual(['42', '100']);
    expect(await redis.raw.hget('shadow:gift:total:1', '42')).toBe('100');
  });

  it('reads shadow data back through pipelines (room list) without seeing production', async () => {
    demo = await startDemo({ redisUrl: redis.url });
    await demo.post('/room/enter', { room_id: 2, uid: 1 });
    await demo.post('/room/enter', { room_id: 2, uid: 2 });
    await demo.post('/room/enter', { room_id: 3, uid: 1 }, SHADOW);
    const viewers = (body: unknown, room: string) =>
      (body as { rooms: { room_id: string; viewers: number }[] }).rooms.find((entry) => entry.room_id === room)?.viewers;
    const production = (await demo.get('/room/list')).body;
    const shadow = (await demo.get('/room/list', SHADOW)).body;
    expect([viewers(production, '2'), viewers(production, '3')]).toEqual([2, 0]);
    expect([viewers(shadow, '2'), viewers(shadow, '3')]).toEqual([0, 1]);
  });

  it('keeps danmaku capped with an atomic push-and-trim', async () => {
    demo = await startDemo({ redisUrl: redis.url });
    for (let index = 0; index < 205; index += 1) await demo.post('/danmaku/send', { room_id: 4, uid: 1, msg: `m${index}` }, SHADOW);
    expect(await redis.raw.llen('shadow:danmaku:4')).toBe(200);
    const recent = (await demo.get('/danmaku/recent?room_id=4', SHADOW)).body as { danmaku: { msg: string }[] };
    expect(recent.danmaku.map((entry) => entry.msg).slice(0, 2)).toEqual(['m204', 'm203']);
  });

  it('refuses shadow writes when routing is off, leaving Redis untouched', async () => {
    demo = await startDemo({ redisUrl: redis.url, shadowRouting: false });
    expect((await demo.post('/danmaku/send', { room_id: 1, uid: 1, msg: 'x' }, SHADOW)).status).toBe(503);
    expect(await redis.raw.dbsize()).toBe(0);
  });

  it('says which Redis it cannot reach', async () => {
    const port = await freePort();
    await expect(startDemoPlatform({ port: 0, redisUrl: `redis://user:secret@127.0.0.1:${port}` })).rejects.toThrow(
      new RegExp(`^cannot reach Redis at redis://user:\\*\\*\\*@127\\.0\\.0\\.1:${port}`),
    );
  });

  it('fails a danmaku send whose MULTI command failed, instead of answering 200', async () => {
    demo = await startDemo({ redisUrl: redis.url });
    await redis.raw.set('danmaku:6', 'not a list');
    expect((await demo.post('/danmaku/send', { room_id: 6, uid: 1, msg: 'lost?' })).status).toBe(500);
  });

  it('answers 503 at once while Redis is away, says so in /healthz, and recovers', async () => {
    const own = await startRedis();
    demo = await startDemo({ redisUrl: own.url });
    expect((await demo.post('/room/enter', { room_id: 1, uid: 1 })).status).toBe(200);
    await own.stop();
    const away = await demo.post('/room/enter', { room_id: 1, uid: 2 });
    expect(away).toMatchObject({ status: 503, body: { error: 'store_unavailable' } });
    expect(await demo.get('/healthz')).toMatchObject({ status: 503, body: { store: expect.stringMatching(/^down: /) } });
  });

  it('refuses a database the Redis does not have', async () => {
    await expect(startDemoPlatform({ port: 0, redisUrl: `${redis.url}/99` })).rejects.toThrow(/cannot reach Redis at .*\/99: .*DB index is out of range/);
  });
});
