import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRehearsalPlatform, STORE_PROXY, type RehearsalPlatform } from '../../src/commands/rehearsal-platform.js';
import { portClosed } from '../helpers/port-closed.js';

/**
 * The demo platform a rehearsal runs against: its Redis only through the fault proxy, so a toxic
 * on `store` is what the services meet — measured through the gateway, as a viewer would.
 */

let platform: RehearsalPlatform;
beforeAll(async () => {
  platform = await startRehearsalPlatform(process.execPath, { seed: 7, adminToken: 'rehearsal-token' });
});
afterAll(() => platform?.stop());

async function roomInfoMs(): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${platform.demo.gatewayUrl}/room/info?room_id=3`);
  expect(response.status).toBe(200);
  await response.text();
  return performance.now() - started;
}

describe('the rehearsal platform', () => {
  it('keeps the demo\'s data in the private Redis, through the store proxy', async () => {
    const entered = await fetch(`${platform.demo.gatewayUrl}/room/enter`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room_id: 3, uid: 42 }) });
    expect(entered.status).toBe(200);
    const redis = new Redis(platform.redisUrl);
    try {
      expect(await redis.hexists('room:enter:3', '42')).toBe(1);
    } finally {
      redis.disconnect();
    }
    expect(platform.proxies.bytes().some((entry) => entry.proxy === STORE_PROXY && entry.sent > 0)).toBe(true);
  });

  it('slows room info when a latency toxic is on the store, and not once it is removed', async () => {
    const before = await roomInfoMs();
    platform.proxies.addToxic(STORE_PROXY, { type: 'latency', attributes: { latency: 300 } });
    const slow = await roomInfoMs();
    platform.proxies.removeToxic(STORE_PROXY, 'latency_downstream');
    const after = await roomInfoMs();
    expect(slow).toBeGreaterThan(250);
    expect(before).toBeLessThan(200);
    expect(after).toBeLessThan(200);
    expect(platform.proxies.changes().map((change) => change.change)).toEqual(['added', 'removed']);
  });

  it('stops everything it started', async () => {
    const { port } = new URL(platform.redisUrl);
    const gateway = new URL(platform.demo.gatewayUrl).port;
    await platform.stop();
    expect(await portClosed(Number(port))).toBe(true);
    expect(await portClosed(Number(gateway))).toBe(true);
  });
});
