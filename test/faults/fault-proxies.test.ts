import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFaultProxies } from '../../src/faults/fault-proxies.js';
import { FaultProxyError, type FaultProxySet } from '../../src/faults/proxy-model.js';
import { startEcho, TestClient, type TestServer } from './net-helpers.js';

let proxies: FaultProxySet | undefined;
const servers: TestServer[] = [];
afterEach(async () => {
  await proxies?.close();
  proxies = undefined;
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function withEcho(): Promise<{ set: FaultProxySet; echo: TestServer }> {
  const echo = await startEcho();
  servers.push(echo);
  proxies = createFaultProxies({ seed: 7 });
  return { set: proxies, echo };
}

function statusOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof FaultProxyError) return error.status;
    throw error;
  }
  return undefined;
}

async function asyncStatusOf(action: () => Promise<unknown>): Promise<{ status: number; message: string } | undefined> {
  try {
    await action();
  } catch (error) {
    if (error instanceof FaultProxyError) return { status: error.status, message: error.message };
    throw error;
  }
  return undefined;
}

describe('fault proxies: the model', () => {
  it('creates a listening proxy on an ephemeral port and shows the bound address', async () => {
    const { set, echo } = await withEcho();
    const proxy = await set.create({ name: 'redis', listen: '127.0.0.1:0', upstream: echo.address });
    expect(proxy).toMatchObject({ name: 'redis', upstream: echo.address, enabled: true, toxics: [] });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(proxy.listen).not.toBe('127.0.0.1:0');
    expect(set.get('redis')).toEqual(proxy);
    expect(set.list()).toEqual([proxy]);

    const client = new TestClient(Number(proxy.listen.split(':')[1]));
    expect(await client.roundTrip('hello')).toBeLessThan(500);
    client.destroy();
  });

  it('answers 409, 404 and 400 the way Toxiproxy does', async () => {
    const { set, echo } = await withEcho();
    await set.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    expect(await asyncStatusOf(() => set.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address }))).toEqual({ status: 409, message: 'proxy already exists' });
    expect(await asyncStatusOf(() => set.create({ name: '', listen: '127.0.0.1:0', upstream: echo.address }))).toMatchObject({ status: 400, message: 'missing required field: name' });
    expect(await asyncStatusOf(() => set.create({ name: 'q', listen: 'nowhere', upstream: echo.address }))).toMatchObject({ status: 400 });
    expect(await asyncStatusOf(() => set.create({ name: 'q', listen: '127.0.0.1:70000', upstream: echo.address }))).toMatchObject({ status: 400 });
    expect(await asyncStatusOf(() => set.create({ name: 'q', listen: '127.0.0.1:0', upstream: 'localhost' }))).toMatchObject({ status: 400 });
    expect(await asyncStatusOf(() => set.create({ name: 'q', listen: '127.0.0.1:0', upstream: ':6379' }))).toMatchObject({ status: 400 });
    expect(await asyncStatusOf(() => set.update('missing', { enabled: false }))).toEqual({ status: 404, message: 'proxy not found' });
    expect(await asyncStatusOf(() => set.remove('missing'))).toEqual({ status: 404, message: 'proxy not found' });
    expect(statusOf(() => set.get('missing'))).toBe(404);
    expect(statusOf(() => set.addToxic('missing', { type: 'latency' }))).toBe(404);
    expect(statusOf(() => set.removeToxic('p', 'nope'))).toBe(404);
    expect(statusOf(() => set.updateToxic('p', 'nope', { toxicity: 0.5 }))).toBe(404);
    expect(set.list().map((proxy) => proxy.name)).toEqual(['p']);
  });

  it('fails clearly when the listen address cannot be bound, and adds nothing', async () => {
    const { set, echo } = await withEcho();
    const busy = await set.create({ name: 'first', listen: '127.0.0.1:0', upstream: echo.address });
    const failure = await asyncStatusOf(() => set.create({ name: 'second', listen: busy.listen, upstream: echo.address }));
    expect(failure?.status).toBe(500);
    expect(failure?.message).toContain(`proxy second: cannot listen on ${busy.listen}`);
    expect(failure?.message).toContain('EADDRINUSE');
    expect(set.list().map((proxy) => proxy.name)).toEqual(['first']);
  });

  it('gives toxics Toxiproxy’s defaults and refuses duplicates, unknown types and streams, and bad attributes', async () => {
    const { set, echo } = await withEcho();
    await set.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    expect(set.addToxic('p', { type: 'latency', attributes: { latency: 100 } })).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    expect(set.addToxic('p', { type: 'slicer', stream: 'upstream', name: 'cut', toxicity: 0.25, attributes: { average_size: 10 } })).toEqual({
      name: 'cut',
      type: 'slicer',
      stream: 'upstream',
      toxicity: 0.25,
      attributes: { average_size: 10, size_variation: 0, delay: 0 },
    });
    expect(set.addToxic('p', { type: 'latency', stream: 'both', name: 'rtt' }).stream).toBe('both');

    const rejects = (input: Parameters<FaultProxySet['addToxic']>[1]): number | undefined => statusOf(() => set.addToxic('p', input));
    expect(rejects({ type: 'latency' })).toBe(409);
    expect(rejects({ type: 'packet_storm' })).toBe(400);
    expect(rejects({ type: 'latency', stream: 'sideways' })).toBe(400);
    expect(rejects({ type: 'timeout', stream: 'both' })).toBe(400);
    expect(rejects({ type: 'latency', name: 'x1', attributes: { latancy: 100 } })).toBe(400);
    expect(rejects({ type: 'latency', name: 'x2', attributes: { latency: -1 } })).toBe(400);
    expect(rejects({ type: 'latency', name: 'x3', attributes: { latency: 1.5 } })).toBe(400);
    expect(rejects({ type: 'latency', name: 'x4', attributes: { latency: '100' } })).toBe(400);
    expect(rejects({ type: 'latency', name: 'x5', toxicity: 1.5 })).toBe(400);
    expect(rejects({ type: 'slicer', name: 'x6', attributes: { average_size: 10, size_variation: 10 } })).toBe(400);
    expect(rejects({ type: 'slicer', name: 'x7', attributes: { average_size: 0 } })).toBe(400);
    expect(set.addToxic('p', { type: 'bandwidth', attributes: { rate: -1 } }).attributes).toEqual({ rate: -1 });
    expect(set.get('p').toxics.map((toxic) => toxic.name)).toEqual(['latency_downstream', 'cut', 'rtt', 'bandwidth_downstream']);
  });

  it('updates toxicity and attributes (merged), refuses moving a toxic, and stamps every change', async () => {
    const { set, echo } = await withEcho();
    await set.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    const before = performance.now();
    set.addToxic('p', { type: 'latency', attributes: { latency: 100, jitter: 10 } });
    expect(set.updateToxic('p', 'latency_downstream', { attributes: { latency: 200 } })).toMatchObject({ toxicity: 1, attributes: { latency: 200, jitter: 10 } });
    expect(set.updateToxic('p', 'latency_downstream', { toxicity: 0.5, type: 'latency', stream: 'downstream' })).toMatchObject({ toxicity: 0.5, attributes: { latency: 200 } });
    expect(statusOf(() => set.updateToxic('p', 'latency_downstream', { stream: 'upstream' }))).toBe(400);
    expect(statusOf(() => set.updateToxic('p', 'latency_downstream', { attributes: { rate: 1 } }))).toBe(400);
    set.removeToxic('p', 'latency_downstream');
    expect(set.get('p').toxics).toEqual([]);

    const changes = set.changes();
    expect(changes.map(({ proxy, toxic, change }) => ({ proxy, toxic, change }))).toEqual([
      { proxy: 'p', toxic: 'latency_downstream', change: 'added' },
      { proxy: 'p', toxic: 'latency_downstream', change: 'updated' },
      { proxy: 'p', toxic: 'latency_downstream', change: 'updated' },
      { proxy: 'p', toxic: 'latency_downstream', change: 'removed' },
    ]);
    expect(changes[0]!.at).toBeGreaterThanOrEqual(before);
    expect(changes.every((change, index) => index === 0 || change.at >= changes[index - 1]!.at)).toBe(true);
  });

  it('counts bytes per proxy and direction', async () => {
    const { set, echo } = await withEcho();
    const proxy = await set.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    const client = new TestClient(Number(proxy.listen.split(':')[1]));
    await client.roundTrip('12345');
    await client.roundTrip('678');
    client.destroy();
    expect(set.bytes()).toEqual([
      { proxy: 'p', listen: proxy.listen, upstream: echo.address, direction: 'upstream', received: 8, sent: 8 },
      { proxy: 'p', listen: proxy.listen, upstream: echo.address, direction: 'downstream', received: 8, sent: 8 },
    ]);
  });

  it('reset re-enables every proxy and removes every toxic', async () => {
    const { set, echo } = await withEcho();
    await set.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address, enabled: false });
    await set.create({ name: 'q', listen: '127.0.0.1:0', upstream: echo.address });
    set.addToxic('q', { type: 'latency', attributes: { latency: 1000 } });
    await set.reset();
    expect(set.list().map(({ name, enabled, toxics }) => ({ name, enabled, toxics }))).toEqual([
      { name: 'p', enabled: true, toxics: [] },
      { name: 'q', enabled: true, toxics: [] },
    ]);
    expect(set.changes().at(-1)).toMatchObject({ proxy: 'q', toxic: 'latency_downstream', change: 'removed' });
  });

  it('keeps a proxy removed by delete, and refuses work once closed', async () => {
    const { set, echo } = await withEcho();
    const proxy = await set.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    await set.remove('p');
    expect(set.list()).toEqual([]);
    const client = new TestClient(Number(proxy.listen.split(':')[1]));
    expect((await client.closed).error?.code).toBe('ECONNREFUSED');
    await set.close();
    await set.close();
    expect(await asyncStatusOf(() => set.create({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address }))).toMatchObject({ status: 500 });
  });

  it('does not listen beyond loopback unless asked: `:port` binds the default host', async () => {
    const { set, echo } = await withEcho();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const proxy = await set.create({ name: 'p', listen: `:${port}`, upstream: echo.address });
    expect(proxy.listen).toBe(`127.0.0.1:${port}`);
  });
});
