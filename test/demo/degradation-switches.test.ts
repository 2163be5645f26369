import { afterEach, describe, expect, it } from 'vitest';
import { startDemo, type DemoUnderTest } from '../helpers/demo-client.js';

let demo: DemoUnderTest | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

const gift = { room_id: 1, uid: 42, gift_id: 1, count: 5 };

describe('degradation switches', () => {
  it('gift-effects-off records the gift but skips the rank update, and says so', async () => {
    demo = await startDemo();
    await demo.post('/gift/send', gift);
    expect((await demo.admin('PUT', '/admin/flags/gift-effects-off', { on: true })).body).toMatchObject({ name: 'gift-effects-off', on: true });
    const degraded = await demo.post('/gift/send', gift);
    expect(degraded.status).toBe(200);
    expect(degraded.headers.get('x-degraded')).toBe('gift-effects-off');
    expect(degraded.body).toMatchObject({ rank_updated: false, value: 5 });
    expect((await demo.get('/gift/rank?room_id=1')).body).toEqual({ room_id: '1', rank: [{ uid: '42', score: 5 }] });

    await demo.admin('PUT', '/admin/flags/gift-effects-off', { on: false });
    const normal = await demo.post('/gift/send', gift);
    expect(normal.headers.get('x-degraded')).toBeNull();
    expect((await demo.get('/gift/rank?room_id=1')).body).toEqual({ room_id: '1', rank: [{ uid: '42', score: 10 }] });
  });

  it('room-info-local-cache serves room info without touching storage', async () => {
    demo = await startDemo();
    await demo.post('/room/enter', { room_id: 9, uid: 1 });
    expect((await demo.get('/room/info?room_id=9')).body).toMatchObject({ viewers: 1, served_from: 'storage' });
    await demo.admin('PUT', '/admin/faults/store', { down: true });
    expect((await demo.get('/room/info?room_id=9')).status).toBe(503);

    await demo.admin('PUT', '/admin/flags/room-info-local-cache', { on: true });
    const cached = await demo.get('/room/info?room_id=9');
    expect(cached.status).toBe(200);
    expect(cached.headers.get('x-degraded')).toBe('room-info-local-cache');
    expect(cached.body).toMatchObject({ viewers: 1, served_from: 'local-cache' });
    const neverSeen = await demo.get('/room/info?room_id=10');
    expect(neverSeen).toMatchObject({ status: 200, body: { viewers: 0, served_from: 'local-cache', stale_ms: null } });
  });

  it('danmaku-rate-limit admits the limit per room per second and answers 429 beyond it', async () => {
    let clock = 1_700_000_000_000;
    demo = await startDemo({ now: () => clock });
    expect((await demo.admin('PUT', '/admin/flags/danmaku-rate-limit', { on: true, limit: 2 })).body).toMatchObject({ on: true, limit: 2 });
    const send = (room: number) => demo!.post('/danmaku/send', { room_id: room, uid: 1, msg: 'x' });
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await send(1)).status);
    const otherRoom = await send(2);
    const limited = await send(1);
    expect(statuses).toEqual([200, 200, 429]);
    expect(otherRoom.status).toBe(200);
    expect(limited.headers.get('x-degraded')).toBe('danmaku-rate-limit');
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toMatchObject({ error: 'rate_limited' });
    clock += 1000;
    const nextSecond = await send(1);
    expect(nextSecond.status).toBe(200);
    expect(nextSecond.headers.get('x-degraded')).toBe('danmaku-rate-limit');
    await demo.admin('PUT', '/admin/flags/danmaku-rate-limit', { on: false });
    expect((await send(1)).headers.get('x-degraded')).toBeNull();
  });

  it('lists the switches and guards them with the bearer token', async () => {
    demo = await startDemo();
    const listed = await demo.admin('GET', '/admin/flags');
    expect(listed.body).toMatchObject({ flags: [{ name: 'gift-effects-off', on: false }, { name: 'room-info-local-cache' }, { name: 'danmaku-rate-limit', limit: 20 }] });
    const anonymous = await demo.get('/admin/flags');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await demo.get('/admin/flags', { authorization: 'Bearer wrong-token-0000' })).status).toBe(401);
    expect((await demo.post('/admin/flags/gift-effects-off', { on: true })).status).toBe(405);
    expect(await demo.admin('PUT', '/admin/flags/no-such-flag', { on: true })).toMatchObject({ status: 404, body: { error: 'unknown_flag' } });
    expect(await demo.admin('PUT', '/admin/flags/gift-effects-off', { on: 'yes' })).toMatchObject({ status: 400, body: { message: 'on must be true or false' } });
    expect(await demo.admin('PUT', '/admin/flags/gift-effects-off', { on: true, limit: 3 })).toMatchObject({ status: 400, body: { message: 'unknown field limit; allowed: on' } });
  });
});

describe('hot rooms', () => {
  it('serves a hot room from the local cache, marked x-hot-room', async () => {
    let clock = 1_700_000_000_000;
    demo = await startDemo({ now: () => clock, hotRoomPerSecond: 5 });
    const first = await demo.get('/room/info?room_id=7');
    expect(first.body).toMatchObject({ hot: false, served_from: 'storage' });
    for (let index = 0; index < 10; index += 1) await demo.get('/room/info?room_id=7');
    await demo.admin('PUT', '/admin/faults/store', { down: true });
    const hot = await demo.get('/room/info?room_id=7');
    expect(hot).toMatchObject({ status: 200, body: { hot: true, served_from: 'hot-room-cache' } });
    expect(hot.headers.get('x-hot-room')).toBe('7');
    expect((await demo.admin('GET', '/admin/hot-rooms')).body).toMatchObject({ hot_rooms: [{ room_id: '7' }] });
    expect((await demo.get('/room/info?room_id=8')).status).toBe(503);

    clock += 60_000;
    await demo.admin('DELETE', '/admin/faults/store');
    expect((await demo.get('/room/info?room_id=7')).body).toMatchObject({ hot: false, served_from: 'storage' });
    expect((await demo.admin('GET', '/admin/hot-rooms')).body).toEqual({ hot_rooms: [] });
  });
});
