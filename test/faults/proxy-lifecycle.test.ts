import { describe, expect, it } from 'vitest';
import { createFaultProxies } from '../../src/faults/fault-proxies.js';
import type { FaultProxySet } from '../../src/faults/proxy-model.js';
import { pause, portOf, startEcho, startServer, TestClient, type TestServer, useTestNetwork } from './net-helpers.js';

const network = useTestNetwork();

async function echoServer(): Promise<TestServer> {
  return network.server(await startEcho());
}

function open(port: number): TestClient {
  return network.client(port);
}

describe('proxy lifecycle', () => {
  it('enabled=false closes live connections and refuses new ones; true listens again on the same port', async () => {
    const echo = await echoServer();
    const proxies = network.proxies(createFaultProxies({ seed: 1 }));
    const proxy = await proxies.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    const live = open(portOf(proxy));
    expect(await live.roundTrip()).toBeLessThan(100);

    expect(await proxies.update('p', { enabled: false })).toMatchObject({ enabled: false, listen: proxy.listen });
    await live.closed;
    expect((await open(portOf(proxy)).closed).error?.code).toBe('ECONNREFUSED');

    expect(await proxies.update('p', { enabled: true })).toMatchObject({ enabled: true, listen: proxy.listen });
    expect(await open(portOf(proxy)).roundTrip()).toBeLessThan(100);
  });

  it('restarts on a new upstream, dropping its connections', async () => {
    const echo = await echoServer();
    const other = await startServer((socket) => socket.end('other'));
    network.server(other);
    const proxies = network.proxies(createFaultProxies({ seed: 1 }));
    const proxy = await proxies.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    const live = open(portOf(proxy));
    await live.roundTrip();
    // Sending the shown listen back (as clients that save a whole proxy do) is no change.
    const moved = await proxies.update('p', { listen: proxy.listen, upstream: other.address });
    await live.closed;
    expect(moved).toMatchObject({ upstream: other.address, enabled: true });
    const next = open(portOf(moved));
    await next.ended;
    expect(next.received.toString()).toBe('other');
  });

  it('populate leaves an unchanged proxy untouched (its connection survives) and replaces a changed one', async () => {
    const echo = await echoServer();
    const other = await echoServer();
    const proxies = network.proxies(createFaultProxies({ seed: 1 }));
    const [kept, replaced] = await proxies.populate([
      { name: 'kept', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'replaced', listen: '127.0.0.1:0', upstream: echo.address },
    ]);
    proxies.addToxic('kept', { type: 'latency', attributes: { latency: 10 } });
    proxies.addToxic('replaced', { type: 'latency', attributes: { latency: 10 } });
    const keptClient = open(portOf(kept!));
    const replacedClient = open(portOf(replaced!));
    await keptClient.roundTrip();
    await replacedClient.roundTrip();

    const again = await proxies.populate([
      { name: 'kept', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'replaced', listen: replaced!.listen, upstream: other.address },
      { name: 'new', listen: '127.0.0.1:0', upstream: echo.address, enabled: false },
    ]);
    expect(again.map(({ name, enabled, toxics }) => ({ name, enabled, toxics: toxics.length }))).toEqual([
      { name: 'kept', enabled: true, toxics: 1 },
      { name: 'replaced', enabled: true, toxics: 0 },
      { name: 'new', enabled: false, toxics: 0 },
    ]);
    expect(again[0]!.listen).toBe(kept!.listen);
    expect(await keptClient.roundTrip()).toBeLessThan(200);
    await replacedClient.closed;
    expect(await open(portOf(again[1]!)).roundTrip()).toBeLessThan(100);
  });

  it('checks every populate entry before changing anything', async () => {
    const echo = await echoServer();
    const proxies = network.proxies(createFaultProxies({ seed: 1 }));
    await expect(
      proxies.populate([
        { name: 'good', listen: '127.0.0.1:0', upstream: echo.address },
        { name: 'bad', listen: '127.0.0.1:0', upstream: 'no-port' },
      ]),
    ).rejects.toMatchObject({ status: 400 });
    expect(proxies.list()).toEqual([]);
  });

  it('closes the client when the upstream refuses, and keeps serving', async () => {
    const gone = await startEcho();
    await gone.close();
    const proxies = network.proxies(createFaultProxies({ seed: 1 }));
    const proxy = await proxies.create({ name: 'p', listen: '127.0.0.1:0', upstream: gone.address });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const client = open(portOf(proxy));
      client.socket.write('hello?');
      await client.closed;
      expect(client.reads).toEqual([]);
    }
    expect(proxies.get('p').enabled).toBe(true);
  });

  it('passes a half-close on: the client ends its side and still gets the answer', async () => {
    const server = await startServer((socket) => {
      const parts: Buffer[] = [];
      socket.on('data', (data: Buffer) => parts.push(data));
      socket.on('end', () => socket.end(`got ${Buffer.concat(parts).length} bytes`));
    });
    network.server(server);
    const proxies = network.proxies(createFaultProxies({ seed: 1 }));
    const proxy = await proxies.create({ name: 'p', listen: '127.0.0.1:0', upstream: server.address });
    proxies.addToxic('p', { type: 'latency', stream: 'both', attributes: { latency: 50 } });
    const client = open(portOf(proxy));
    client.socket.end('12345');
    await client.closed;
    expect(client.received.toString()).toBe('got 5 bytes');
  });

  it('stops reading the upstream when the client does not read (backpressure)', async () => {
    const flood = await startFlood();
    const proxies = network.proxies(createFaultProxies({ seed: 1 }));
    const proxy = await proxies.create({ name: 'p', listen: '127.0.0.1:0', upstream: flood.server.address });
    const client = open(portOf(proxy));
    client.socket.pause();
    await client.connected();
    await pause(300);
    // Kernel buffers take a few MB; without backpressure the proxy would read the whole flood.
    expect(downstreamReceived(proxies)).toBeLessThan(32 * 1024 * 1024);
    expect(flood.written()).toBeLessThan(FLOOD_BYTES);
    client.socket.resume();
    await client.until(flood.written() - 64 * 1024);
  });

  it('bounds what toxics hold: a long latency does not buffer the flood', async () => {
    const flood = await startFlood();
    const proxies = network.proxies(createFaultProxies({ seed: 1 }));
    const proxy = await proxies.create({ name: 'p', listen: '127.0.0.1:0', upstream: flood.server.address });
    proxies.addToxic('p', { type: 'latency', attributes: { latency: 60_000 } });
    const client = open(portOf(proxy));
    await client.connected();
    await pause(300);
    const received = downstreamReceived(proxies);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(2 * 1024 * 1024);
    expect(flood.written()).toBeLessThan(FLOOD_BYTES);
  });

  it('close() ends every socket and timer, even with data held by toxics', async () => {
    const before = countResources();
    const echo = await startEcho();
    const set = createFaultProxies({ seed: 1 });
    const proxy = await set.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    set.addToxic('p', { type: 'latency', attributes: { latency: 10_000 } });
    set.addToxic('p', { type: 'timeout', stream: 'upstream', attributes: { timeout: 10_000 } });
    const held = Array.from({ length: 5 }, () => new TestClient(portOf(proxy)));
    await Promise.all(held.map((client) => client.connected()));
    for (const client of held) client.socket.write('held');
    await pause(50);
    await set.close();
    await Promise.all(held.map((client) => client.closed));
    await echo.close();
    await pause(20);
    const after = countResources();
    for (const kind of ['Timeout', 'TCPSocketWrap', 'TCPServerWrap']) expect(after[kind] ?? 0, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  });
});

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of process.getActiveResourcesInfo()) counts[resource] = (counts[resource] ?? 0) + 1;
  return counts;
}

const FLOOD_BYTES = 128 * 1024 * 1024;

/** A server that writes FLOOD_BYTES as fast as the connection takes them. */
async function startFlood(): Promise<{ server: TestServer; written: () => number }> {
  const chunk = Buffer.alloc(64 * 1024, 1);
  let written = 0;
  const server = await startServer((socket) => {
    const more = (): void => {
      while (written < FLOOD_BYTES && socket.write(chunk)) written += chunk.length;
    };
    socket.on('drain', more);
    more();
  });
  network.server(server);
  return { server, written: () => written };
}

function downstreamReceived(set: FaultProxySet): number {
  return set.bytes().find((row) => row.direction === 'downstream')?.received ?? 0;
}
