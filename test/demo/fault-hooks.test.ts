import { afterEach, describe, expect, it } from 'vitest';
import type { MemoryStore } from '../../src/demo/memory-store.js';
import { startDemo, type DemoUnderTest } from '../helpers/demo-client.js';

let demo: DemoUnderTest | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

describe('fault hooks', () => {
  it('adds latency to a service', async () => {
    demo = await startDemo();
    expect((await demo.admin('PUT', '/admin/faults/room-svc', { latency_ms: 300 })).body).toEqual({ target: 'room-svc', latency_ms: 300, error_rate: 0, down: false });
    const started = performance.now();
    expect((await demo.get('/room/info?room_id=1')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('fails the configured share of requests, drawn from the injected random source', async () => {
    const draws = [0.1, 0.9, 0.3, 0.7];
    let next = 0;
    demo = await startDemo({ random: () => draws[next++ % draws.length]! });
    await demo.admin('PUT', '/admin/faults/gift', { error_rate: 0.5 });
    const statuses = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await demo.get('/gift/rank?room_id=1')).status);
    expect(statuses).toEqual([500, 200, 500, 200]);
    expect((await demo.get('/room/list')).status).toBe(200);
  });

  it('takes a service down: the gateway answers 502 and /healthz names it, until the fault is cleared', async () => {
    demo = await startDemo();
    await demo.admin('PUT', '/admin/faults/danmaku-svc', { down: true });
    const down = await demo.post('/danmaku/send', { room_id: 1, uid: 1, msg: 'x' });
    expect(down).toMatchObject({ status: 502, body: { error: 'upstream_unavailable', message: expect.stringMatching(/^danmaku-svc is unavailable/) } });
    const health = await demo.get('/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'degraded', services: { 'room-svc': 'ok', 'danmaku-svc': expect.stringMatching(/^down/) } });
    expect((await demo.admin('GET', '/admin/faults')).body).toMatchObject({ faults: { 'danmaku-svc': { down: true }, 'room-svc': { down: false } } });

    await demo.admin('DELETE', '/admin/faults/danmaku-svc');
    expect((await demo.post('/danmaku/send', { room_id: 1, uid: 1, msg: 'x' })).status).toBe(200);
    expect((await demo.get('/healthz')).status).toBe(200);
  });

  it('fails storage calls with 503 when the store is down', async () => {
    demo = await startDemo();
    await demo.admin('PUT', '/admin/faults/redis', { down: true });
    expect(await demo.post('/room/enter', { room_id: 1, uid: 1 })).toMatchObject({ status: 503, body: { error: 'store_unavailable' } });
    await demo.admin('DELETE', '/admin/faults');
    expect((await demo.post('/room/enter', { room_id: 1, uid: 1 })).status).toBe(200);
  });

  it('refuses writes to the gift rank only: the gift is recorded, the rank still reads, and gift-effects-off gets sends through', async () => {
    demo = await startDemo();
    expect((await demo.admin('PUT', '/admin/faults/rank-writes', { down: true })).body).toEqual({ target: 'rank-writes', latency_ms: 0, error_rate: 0, down: true });
    const refused = await demo.post('/gift/send', { room_id: 4, uid: 7, gift_id: 2 });
    expect(refused).toMatchObject({ status: 503, body: { error: 'store_unavailable', message: 'gift-svc: the gift rank (writes) is down (injected fault)' } });
    expect((await demo.get('/gift/rank?room_id=4')).body).toEqual({ room_id: '4', rank: [] });
    expect((await demo.get('/healthz')).status).toBe(200);

    await demo.admin('PUT', '/admin/flags/gift-effects-off', { on: true });
    const sent = await demo.post('/gift/send', { room_id: 4, uid: 7, gift_id: 2 });
    expect(sent).toMatchObject({ status: 200, body: { rank_updated: false, value: 10 } });
    expect(sent.headers.get('x-degraded')).toBe('gift-effects-off');
    // Both sends were recorded in the ledger (gift:total); neither reached the rank (gift:rank).
    const store: Partial<MemoryStore> = demo.platform.store;
    expect(store.keys?.()).toEqual(['gift:total:4']);
    expect((await demo.admin('GET', '/admin/faults')).body).toMatchObject({ faults: { 'rank-writes': { down: true }, store: { down: false } } });

    await demo.admin('PUT', '/admin/flags/gift-effects-off', { on: false });
    await demo.admin('DELETE', '/admin/faults/rank');
    expect((await demo.post('/gift/send', { room_id: 4, uid: 7, gift_id: 2 })).body).toMatchObject({ rank_updated: true });
    expect((await demo.get('/gift/rank?room_id=4')).body).toEqual({ room_id: '4', rank: [{ uid: '7', score: 10 }] });
  });

  it('slows or fails rank writes by their own latency and error rate, leaving other storage calls alone', async () => {
    demo = await startDemo({ random: () => 0 });
    await demo.admin('PUT', '/admin/faults/rank-writes', { latency_ms: 200 });
    let started = performance.now();
    expect((await demo.post('/gift/send', { room_id: 5, uid: 1, gift_id: 1 })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    started = performance.now();
    expect((await demo.post('/danmaku/send', { room_id: 5, uid: 1, msg: 'x' })).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(150);

    await demo.admin('PUT', '/admin/faults/rank-writes', { error_rate: 0.5 });
    expect(await demo.post('/gift/send', { room_id: 5, uid: 1, gift_id: 1 })).toMatchObject({ status: 503, body: { message: 'gift-svc: the gift rank (writes) call failed (injected fault)' } });
    expect((await demo.post('/room/enter', { room_id: 5, uid: 1 })).status).toBe(200);
  });

  it('rejects unknown targets and malformed faults', async () => {
    demo = await startDemo();
    expect(await demo.admin('PUT', '/admin/faults/cdn', { down: true })).toMatchObject({ status: 404, body: { error: 'unknown_fault_target' } });
    expect(await demo.admin('PUT', '/admin/faults/room-svc', { error_rate: 2 })).toMatchObject({ status: 400, body: { message: 'error_rate must be a number from 0 to 1' } });
    expect(await demo.admin('PUT', '/admin/faults/room-svc', { latency: 5 })).toMatchObject({ status: 400 });
  });
});
