import { afterEach, describe, expect, it } from 'vitest';
import type { MemoryStore } from '../../src/demo/memory-store.js';
import { SHADOW, startDemo, type DemoUnderTest } from '../helpers/demo-client.js';

let demo: DemoUnderTest | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

function memoryKeys(under: DemoUnderTest): string[] {
  const store: Partial<MemoryStore> = under.platform.store;
  if (store.keys === undefined) throw new Error('not a memory store');
  return store.keys();
}

async function writeEverything(under: DemoUnderTest, headers: Record<string, string>): Promise<void> {
  for (const [path, body] of [
    ['/room/enter', { room_id: 1, uid: 42 }],
    ['/danmaku/send', { room_id: '1', uid: '42', msg: 'hello' }],
    ['/gift/send', { room_id: 1, uid: 42, gift_id: 2, count: 3 }],
  ] as const) {
    const answer = await under.post(path, body, headers);
    expect(answer.status, `${path}: ${answer.text}`).toBe(200);
  }
}

describe('demo platform endpoints', () => {
  it('answers every public route through the gateway', async () => {
    demo = await startDemo();
    await writeEverything(demo, {});
    expect((await demo.get('/room/info?room_id=1')).body).toMatchObject({ room_id: '1', title: 'Room 1', viewers: 1, served_from: 'storage' });
    expect((await demo.get('/room/list')).body).toMatchObject({ rooms: expect.arrayContaining([{ room_id: '1', title: 'Room 1', viewers: 1 }]) });
    expect((await demo.get('/danmaku/recent?room_id=1')).body).toMatchObject({ room_id: '1', danmaku: [{ uid: '42', msg: 'hello' }] });
    expect((await demo.get('/gift/rank?room_id=1')).body).toEqual({ room_id: '1', rank: [{ uid: '42', score: 30 }] });
    expect(await demo.get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok', services: { 'room-svc': 'ok', 'danmaku-svc': 'ok', 'gift-svc': 'ok' } } });
  });

  it('rejects bad input with 400 and a message, unknown routes with 404, wrong methods with 405', async () => {
    demo = await startDemo();
    expect(await demo.get('/room/info')).toMatchObject({ status: 400, body: { error: 'bad_request', message: 'room_id must be a positive integer' } });
    expect(await demo.post('/danmaku/send', '{not json')).toMatchObject({ status: 400, body: { message: 'request body is not JSON' } });
    expect(await demo.post('/gift/send', { room_id: 1, uid: 1, gift_id: 99 })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/gift_id 99 is not in the catalogue/) } });
    expect(await demo.post('/danmaku/send', { room_id: 1, uid: 1, msg: '' })).toMatchObject({ status: 400 });
    expect((await demo.get('/nope')).status).toBe(404);
    expect((await demo.get('/gift/send')).status).toBe(405);
  });
});

describe('shadow isolation across the gateway → service hop', () => {
  it('writes shadow data only under shadow: and production data only unprefixed', async () => {
    demo = await startDemo();
    await writeEverything(demo, SHADOW);
    expect(memoryKeys(demo)).toEqual(['shadow:danmaku:1', 'shadow:gift:rank:1', 'shadow:gift:total:1', 'shadow:room:enter:1']);
    await writeEverything(demo, {});
    expect(memoryKeys(demo)).toEqual([
      'danmaku:1', 'gift:rank:1', 'gift:total:1', 'room:enter:1',
      'shadow:danmaku:1', 'shadow:gift:rank:1', 'shadow:gift:total:1', 'shadow:room:enter:1',
    ]);
  });

  it('carries a baggage-only tag across the hop as well', async () => {
    demo = await startDemo();
    const answer = await demo.post('/danmaku/send', { room_id: 5, uid: 1, msg: 'b' }, { baggage: 'other=1, live-assure-shadow=run-bag;p=1' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-live-assure-shadow')).toBe('run-bag');
    expect(memoryKeys(demo)).toEqual(['shadow:danmaku:5']);
  });

  it('keeps shadow and production reads apart', async () => {
    demo = await startDemo();
    await demo.post('/danmaku/send', { room_id: 1, uid: 1, msg: 'production' });
    await demo.post('/danmaku/send', { room_id: 1, uid: 2, msg: 'shadow' }, SHADOW);
    expect((await demo.get('/danmaku/recent?room_id=1')).body).toMatchObject({ danmaku: [{ msg: 'production' }] });
    expect((await demo.get('/danmaku/recent?room_id=1', SHADOW)).body).toMatchObject({ danmaku: [{ msg: 'shadow' }] });
  });

  it('counts the shadow request at the service behind the gateway, labelled shadow', async () => {
    demo = await startDemo();
    await demo.get('/room/info?room_id=3', SHADOW);
    const labels = { route: 'room-info', method: 'GET', code: '200' };
    expect(demo.platform.metrics.requests({ service: 'room-svc', ...labels, traffic: 'shadow' })).toBe(1);
    expect(demo.platform.metrics.requests({ service: 'room-svc', ...labels, traffic: 'production' })).toBe(0);
  });

  it('refuses shadow requests with 503 when shadow routing is off, and writes nothing', async () => {
    demo = await startDemo({ shadowRouting: false });
    const refused = await demo.post('/gift/send', { room_id: 1, uid: 1, gift_id: 1 }, SHADOW);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      error: 'shadow_not_ready',
      message: 'shadow routing is not enabled on gateway: shadow traffic of run run-test-1 is refused rather than served from production storage',
    });
    expect(memoryKeys(demo)).toEqual([]);
    expect((await demo.post('/gift/send', { room_id: 1, uid: 1, gift_id: 1 })).status).toBe(200);

    expect((await demo.admin('PUT', '/admin/shadow-routing', { on: true })).body).toEqual({ on: true });
    expect((await demo.post('/gift/send', { room_id: 1, uid: 1, gift_id: 1 }, SHADOW)).status).toBe(200);
    expect(memoryKeys(demo)).toContain('shadow:gift:total:1');
  });

  it('refuses a request whose shadow tag is malformed instead of serving it as production', async () => {
    demo = await startDemo();
    const answer = await demo.post('/room/enter', { room_id: 1, uid: 1 }, { 'x-live-assure-shadow': 'bad id!' });
    expect(answer).toMatchObject({ status: 400, body: { error: 'shadow_tag_invalid' } });
    expect(memoryKeys(demo)).toEqual([]);
  });
});
