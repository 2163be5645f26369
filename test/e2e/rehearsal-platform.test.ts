import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REHEARSAL_PROXIES, startRehearsalPlatform, STORE_PROXY, type RehearsalPlatform } from '../../src/commands/rehearsal-platform.js';
import { portClosed } from '../helpers/port-closed.js';

/**
 * The demo platform a rehearsal runs against: its Redis and each of its services reached only
 * through a fault proxy, so a toxic on `store` or on `gift-svc` is what the services or the gateway
 * meet — measured through the gateway, as a viewer would.
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

async function sendGift(): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${platform.demo.gatewayUrl}/gift/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room_id: 3, uid: 42, gift_id: 1 }) });
  return { status: response.status, body: await response.json() };
}

describe('the rehearsal platform', () => {
  it('puts a fault proxy in front of the Redis and of each service, named as SOPs name them', () => {
    expect(REHEARSAL_PROXIES).toEqual(['store', 'room-svc', 'danmaku-svc', 'gift-svc']);
    const proxies = platform.proxies.list();
    expect(proxies.map((proxy) => proxy.name)).toEqual([...REHEARSAL_PROXIES]);
    for (const service of platform.demo.services) {
      // Each service proxy points at the service's own address, the one the demo printed.
      expect(proxies.find((proxy) => proxy.name === service.name)).toMatchObject({ upstream: new URL(service.url).host, enabled: true, toxics: [] });
    }
  });

  it('keeps the demo\'s data in the private Redis, through the store proxy', async () => {
    const entered = await fetch(`${platform.demo.gatewayUrl}/room/enter`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room_id: 3, uid: 42 }) });
    expect(entered.status).toBe(200);
    const redis = new Redis(platform.redisUrl);
    try {
      expect(await redis.hexists('room:enter:3', '42')).toBe(1);
    } finally {
      redis.disconnect();
    }
    const sent = (name: string) => platform.proxies.bytes().some((entry) => entry.proxy === name && entry.sent > 0);
    expect(sent(STORE_PROXY)).toBe(true);
    // The gateway reached room-svc through its proxy.
    expect(sent('room-svc')).toBe(true);
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
  });

  it('slows room info through the gateway when a latency toxic is on room-svc, and not once it is removed', async () => {
    const before = await roomInfoMs();
    platform.proxies.addToxic('room-svc', { type: 'latency', attributes: { latency: 300 } });
    const slow = await roomInfoMs();
    platform.proxies.removeToxic('room-svc', 'latency_downstream');
    const after = await roomInfoMs();
    expect(slow).toBeGreaterThan(250);
    expect(before).toBeLessThan(200);
    expect(after).toBeLessThan(200);
    // Only room-svc's traffic was slowed: gift sends went on as before.
    const started = performance.now();
    platform.proxies.addToxic('room-svc', { name: 'slow-again', type: 'latency', attributes: { latency: 300 } });
    expect((await sendGift()).status).toBe(200);
    platform.proxies.removeToxic('room-svc', 'slow-again');
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('breaks gift sends at the gateway while a reset_peer or timeout toxic is on gift-svc, and not once it is removed', async () => {
    expect((await sendGift()).status).toBe(200);
    platform.proxies.addToxic('gift-svc', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
    expect(await sendGift()).toMatchObject({ status: 502, body: { error: 'upstream_unavailable', message: expect.stringMatching(/^gift-svc is unavailable/) } });
    expect((await roomInfoMs())).toBeLessThan(200);
    platform.proxies.removeToxic('gift-svc', 'reset_peer_upstream');
    expect((await sendGift()).status).toBe(200);

    // A timeout toxic with a timeout closes the connection after it, with nothing answered.
    platform.proxies.addToxic('gift-svc', { type: 'timeout', attributes: { timeout: 100 } });
    expect(await sendGift()).toMatchObject({ status: 502, body: { error: 'upstream_unavailable' } });
    platform.proxies.removeToxic('gift-svc', 'timeout_downstream');
    expect((await sendGift()).status).toBe(200);
  });

  it('stops everything it started', async () => {
    const { port } = new URL(platform.redisUrl);
    const gateway = new URL(platform.demo.gatewayUrl).port;
    const proxyPorts = platform.proxies.list().map((proxy) => Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1)));
    await platform.stop();
    expect(await portClosed(Number(port))).toBe(true);
    expect(await portClosed(Number(gateway))).toBe(true);
    for (const proxyPort of proxyPorts) expect(await portClosed(proxyPort)).toBe(true);
  });
});
