import { afterEach, describe, expect, it } from 'vitest';
import { SHADOW, startDemo, type DemoUnderTest } from '../helpers/demo-client.js';

let demo: DemoUnderTest | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

describe('demo platform edges', () => {
  it('survives a malformed path parameter and odd paths', async () => {
    demo = await startDemo();
    for (const [method, path] of [['PUT', '/admin/flags/%ZZ'], ['DELETE', '/admin/faults/%E0']]) {
      expect((await fetch(`${demo.platform.gatewayUrl}${path}`, { method, body: method === 'PUT' ? '{}' : null })).status).toBe(404);
    }
    expect((await demo.get('//room/info?room_id=1')).status).toBe(404);
    expect((await demo.get('/room/info?room_id=1')).status).toBe(200);
  });

  it('answers 405 with Allow, and 413 for a body over the limit', async () => {
    demo = await startDemo();
    const wrongMethod = await demo.get('/danmaku/send');
    expect(wrongMethod).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const huge = await demo.post('/danmaku/send', { room_id: 1, uid: 1, msg: 'x'.repeat(70_000) });
    expect(huge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
  });

  it('lets operators turn shadow routing back on even with a tagging client', async () => {
    demo = await startDemo({ shadowRouting: false });
    const admin = await fetch(`${demo.platform.gatewayUrl}/admin/shadow-routing`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${demo.platform.adminToken}`, ...SHADOW },
      body: JSON.stringify({ on: true }),
    });
    expect(admin.status).toBe(200);
    expect((await demo.get('/healthz', SHADOW)).status).toBe(200);
    expect((await demo.get('/room/info?room_id=1', SHADOW)).status).toBe(200);
  });

  it('reports storage in /healthz', async () => {
    demo = await startDemo();
    expect((await demo.get('/healthz')).body).toMatchObject({ status: 'ok', store: 'ok' });
    await demo.admin('PUT', '/admin/faults/store', { down: true });
    expect(await demo.get('/healthz')).toMatchObject({ status: 503, body: { status: 'degraded', store: 'down: injected fault' } });
  });

  it('keeps the danmaku rate limit of shadow traffic apart from production', async () => {
    const clock = 1_700_000_000_000;
    demo = await startDemo({ now: () => clock });
    await demo.admin('PUT', '/admin/flags/danmaku-rate-limit', { on: true, limit: 2 });
    const send = (headers: Record<string, string>) => demo!.post('/danmaku/send', { room_id: 10, uid: 1, msg: 'x' }, headers);
    const shadowStatuses = [];
    for (let index = 0; index < 3; index += 1) shadowStatuses.push((await send(SHADOW)).status);
    expect(shadowStatuses).toEqual([200, 200, 429]);
    expect((await send({})).status).toBe(200);
  });
});
