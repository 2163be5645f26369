import { Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFaultProxies } from '../../src/faults/fault-proxies.js';
import type { FaultProxySet } from '../../src/faults/proxy-model.js';
import { startToxiproxyApi, type ToxiproxyApi } from '../../src/faults/toxiproxy-api.js';
import { readVersion } from '../../src/version.js';
import { echoes, echoRoundTrip, portOf, startEchoServer, type EchoServer } from '../helpers/tcp-echo.js';

/** The npm `toxiproxy-node-client`, unmodified, driving live-assure's API over real sockets. */
let proxies: FaultProxySet;
let api: ToxiproxyApi;
let echo: EchoServer;
beforeEach(async () => {
  echo = await startEchoServer();
  proxies = createFaultProxies({ seed: 7 });
  api = await startToxiproxyApi(proxies, { host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await api.close();
  await proxies.close();
  await echo.close();
});

describe('toxiproxy-node-client against live-assure proxy', () => {
  it('creates a proxy, adds, updates and removes a latency toxic, and the delay shows on a real socket', async () => {
    const toxiproxy = new Toxiproxy(api.url);
    const proxy = await toxiproxy.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    expect(proxy.name).toBe('echo');
    expect(proxy.enabled).toBe(true);
    const port = portOf(proxy.listen);
    expect(await echoRoundTrip(port)).toBeLessThan(150);

    const toxic = await proxy.addToxic({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 300, jitter: 0 } });
    expect(toxic.toJson()).toEqual({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 300, jitter: 0 } });
    expect(await echoRoundTrip(port)).toBeGreaterThanOrEqual(280);

    const slower = await toxic.update({ ...toxic.toJson(), attributes: { latency: 600, jitter: 0 } });
    expect(slower.attributes).toEqual({ latency: 600, jitter: 0 });
    expect((await proxy.getToxic('lag')).attributes).toEqual({ latency: 600, jitter: 0 });
    const delayed = await echoRoundTrip(port);
    expect(delayed).toBeGreaterThanOrEqual(580);
    expect(delayed).toBeLessThan(2_000);

    await slower.remove();
    expect((await toxiproxy.get('echo')).toJson()).toEqual({ name: 'echo', listen: proxy.listen, upstream: proxy.upstream, enabled: true });
    expect(await echoRoundTrip(port)).toBeLessThan(150);
  });

  it('disables a proxy (connections refused), enables it (accepted again), and resets everything', async () => {
    const toxiproxy = new Toxiproxy(api.url);
    const proxy = await toxiproxy.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const port = portOf(proxy.listen);

    const down = await proxy.update({ ...proxy.toJson(), enabled: false });
    expect(down.enabled).toBe(false);
    expect(await echoes(port)).toBe(false);
    const up = await down.update({ ...down.toJson(), enabled: true });
    expect(up.enabled).toBe(true);
    expect(up.listen).toBe(proxy.listen);
    expect(await echoes(port)).toBe(true);

    await up.addToxic({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 50 } });
    await up.update({ ...up.toJson(), enabled: false });
    await toxiproxy.reset();
    const all = await toxiproxy.getAll();
    expect(Object.keys(all)).toEqual(['echo']);
    expect(all['echo']?.enabled).toBe(true);
    expect(await echoes(port)).toBe(true);
    expect(proxies.get('echo').toxics).toEqual([]);
  });

  it('populates, lists, removes, reads the version, and surfaces errors', async () => {
    const toxiproxy = new Toxiproxy(api.url);
    const populated = await toxiproxy.populate([
      { name: 'a', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
      { name: 'b', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}`, enabled: false },
    ]);
    expect(Object.keys(populated).sort()).toEqual(['a', 'b']);
    expect(populated['b']?.enabled).toBe(false);
    expect(Object.keys(await toxiproxy.getAll()).sort()).toEqual(['a', 'b']);

    await populated['a']?.remove();
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['b']);

    expect(JSON.parse(await toxiproxy.getVersion())).toEqual({ version: readVersion() });
    await expect(toxiproxy.get('a')).rejects.toThrow(ToxiproxyError);
    await expect(toxiproxy.createProxy({ name: 'b', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` })).rejects.toThrow(/409/);
  });
});
