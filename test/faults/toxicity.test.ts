import { afterEach, describe, expect, it } from 'vitest';
import { createFaultProxies } from '../../src/faults/fault-proxies.js';
import type { FaultProxySet } from '../../src/faults/proxy-model.js';
import { portOf, startEcho, TestClient, type TestServer } from './net-helpers.js';

let echo: TestServer | undefined;
afterEach(async () => {
  await echo?.close();
  echo = undefined;
});

/**
 * Opens `count` connections one after another through a proxy whose only toxic is limit_data 1
 * at `toxicity`, and tells which ones it affected: those get one byte of a two-byte echo.
 */
async function affectedConnections(seed: number, toxicity: number, count = 40): Promise<boolean[]> {
  echo ??= await startEcho();
  const proxies: FaultProxySet = createFaultProxies({ seed });
  try {
    const proxy = await proxies.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    proxies.addToxic('p', { type: 'limit_data', toxicity, attributes: { bytes: 1 } });
    const affected: boolean[] = [];
    for (let index = 0; index < count; index += 1) {
      const client = new TestClient(portOf(proxy));
      client.socket.write('ab');
      const outcome = await Promise.race([client.until(2).then(() => false), client.closed.then(() => true)]);
      affected.push(outcome && client.received.toString() === 'a');
      client.destroy();
    }
    return affected;
  } finally {
    await proxies.close();
  }
}

describe('toxicity', () => {
  it('0 affects no connection and 1 every connection', async () => {
    expect(await affectedConnections(1, 0, 10)).toEqual(Array(10).fill(false));
    expect(await affectedConnections(1, 1, 10)).toEqual(Array(10).fill(true));
  });

  it('0.5 affects about half the connections, the same ones for the same seed', async () => {
    const first = await affectedConnections(42, 0.5);
    const again = await affectedConnections(42, 0.5);
    const other = await affectedConnections(43, 0.5);
    const hits = first.filter(Boolean).length;
    expect(hits).toBeGreaterThanOrEqual(10);
    expect(hits).toBeLessThanOrEqual(30);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('is rolled once per connection: changing another toxic does not re-roll it', async () => {
    echo = await startEcho();
    const proxies = createFaultProxies({ seed: 5 });
    try {
      const proxy = await proxies.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
      proxies.addToxic('p', { type: 'latency', toxicity: 0.5, attributes: { latency: 150 } });
      const clients = Array.from({ length: 12 }, () => new TestClient(portOf(proxy)));
      const slow = async (): Promise<boolean[]> => Promise.all(clients.map(async (client) => (await client.roundTrip()) >= 140));
      const before = await slow();
      expect(before).toContain(true);
      expect(before).toContain(false);
      proxies.addToxic('p', { type: 'bandwidth', attributes: { rate: 1000 } });
      proxies.updateToxic('p', 'bandwidth_downstream', { attributes: { rate: 2000 } });
      expect(await slow()).toEqual(before);
      for (const client of clients) client.destroy();
    } finally {
      await proxies.close();
    }
  });
});
