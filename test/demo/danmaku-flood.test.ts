import { afterEach, describe, expect, it } from 'vitest';
import { RoomPush } from '../../src/demo/room-push.js';
import { SHADOW, startDemo, type DemoUnderTest } from '../helpers/demo-client.js';

/**
 * The simulated danmaku flood and the room push channel it fills: the fault that the
 * danmaku-rate-limit switch mitigates (sops/danmaku-flood.yaml).
 */

let demo: DemoUnderTest | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

interface FloodState {
  on: boolean;
  per_second: number;
  bots: { sent: number; limited: number; backlog: number; failed: number };
}

async function floodState(under: DemoUnderTest): Promise<FloodState> {
  return (await under.admin('GET', '/admin/danmaku-flood')).body as FloodState;
}

/** Waits for the flood's ticker to have taken in `count` bot danmaku in all. */
async function botsTakenIn(under: DemoUnderTest, count: number): Promise<FloodState['bots']> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { bots } = await floodState(under);
    if (bots.sent + bots.limited + bots.backlog + bots.failed >= count) return bots;
    if (Date.now() > deadline) throw new Error(`the flood took in only ${JSON.stringify(bots)}, not ${count}`);
    await new Promise((wait) => setTimeout(wait, 20));
  }
}

const send = (under: DemoUnderTest, room: number, headers: Record<string, string> = SHADOW) => under.post('/danmaku/send', { room_id: room, uid: 9_000_000_001, msg: 'hi' }, headers);

describe('a room push channel', () => {
  it('gives each danmaku its turn, and refuses one whose turn is beyond the longest wait', () => {
    let clock = 10_000;
    const push = new RoomPush(10, 300, () => clock);
    expect(push.claim('1')).toBe(0);
    push.track('1');
    expect([push.claim('1'), push.claim('1'), push.claim('1'), push.claim('1'), push.claim('1')]).toEqual([0, 100, 200, 300, undefined]);
    expect(push.claim('2')).toBe(0);
    clock += 250;
    expect(push.claim('1')).toBe(150);
    push.track(undefined);
    expect(push.claim('1')).toBe(0);
  });
});

describe('a danmaku flood', () => {
  it('backs up the flooded room\'s push channel until the rate limit holds the bots back', async () => {
    let clock = 1_700_000_000_000;
    demo = await startDemo({ now: () => clock });
    expect((await demo.admin('PUT', '/admin/danmaku-flood', { room_id: 1, per_second: 300 })).body).toMatchObject({ on: true, room_id: '1', per_second: 300, bots: { sent: 0 } });
    clock += 1000;
    // 100 a second for at most 1 s of waiting: 101 turns (0 ms … 1000 ms), the rest refused.
    expect(await botsTakenIn(demo, 300)).toEqual({ sent: 101, limited: 0, backlog: 199, failed: 0 });
    expect(await send(demo, 1)).toMatchObject({ status: 503, body: { error: 'push_backlog' } });
    expect((await send(demo, 2)).status).toBe(200);
    expect((await demo.get('/danmaku/recent?room_id=1')).body).toMatchObject({ danmaku: expect.arrayContaining([{ uid: expect.any(String), msg: 'flood', at: expect.any(Number) }]) });
    expect((await demo.get('/metrics')).text).toContain('live_assure_demo_danmaku_flood_per_second 300\n');

    await demo.admin('PUT', '/admin/flags/danmaku-rate-limit', { on: true, limit: 20 });
    clock += 2000;
    // One second's worth of bots again; the limit lets 20 of them through, and the channel is clear in 200 ms.
    expect(await botsTakenIn(demo, 600)).toEqual({ sent: 121, limited: 280, backlog: 199, failed: 0 });
    const started = performance.now();
    const viewer = await send(demo, 1);
    expect(viewer).toMatchObject({ status: 200, body: { ok: true } });
    expect(viewer.headers.get('x-degraded')).toBe('danmaku-rate-limit');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    // Production viewers share the room's limit with the bots (the load test's shadow traffic has its own).
    expect((await send(demo, 1, {})).status).toBe(429);

    expect((await demo.admin('DELETE', '/admin/danmaku-flood')).body).toMatchObject({ on: false, room_id: null, per_second: 0 });
    expect((await send(demo, 1)).status).toBe(200);
    expect((await demo.get('/metrics')).text).toContain('live_assure_demo_danmaku_flood_per_second 0\n');
  });

  it('is set and cleared through the admin API, which checks what it is given', async () => {
    demo = await startDemo();
    expect(await floodState(demo)).toEqual({ on: false, room_id: null, per_second: 0, since: null, bots: { sent: 0, limited: 0, backlog: 0, failed: 0 } });
    expect(await demo.admin('PUT', '/admin/danmaku-flood', { room_id: 1, per_second: 0 })).toMatchObject({ status: 400, body: { message: 'per_second must be an integer from 1 to 10000' } });
    expect(await demo.admin('PUT', '/admin/danmaku-flood', { room_id: 'one', per_second: 10 })).toMatchObject({ status: 400, body: { message: 'room_id must be a positive integer' } });
    expect(await demo.admin('PUT', '/admin/danmaku-flood', { room_id: 1, per_second: 10, bots: 3 })).toMatchObject({ status: 400, body: { message: 'unknown field bots; allowed: room_id, per_second' } });
    expect((await fetch(`${demo.platform.gatewayUrl}/admin/danmaku-flood`, { method: 'PUT', body: JSON.stringify({ room_id: 1, per_second: 10 }) })).status).toBe(401);
    expect(await floodState(demo)).toMatchObject({ on: false });

    expect((await demo.admin('PUT', '/admin/danmaku-flood', { room_id: '7', per_second: 40 })).body).toMatchObject({ on: true, room_id: '7', per_second: 40, since: expect.any(String) });
    expect((await demo.admin('DELETE', '/admin/danmaku-flood')).body).toMatchObject({ on: false });
  });
});
