import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { createFaultProxies } from '../../src/faults/fault-proxies.js';
import type { FaultProxySet } from '../../src/faults/proxy-model.js';
import { startToxiproxyApi, type ToxiproxyApi } from '../../src/faults/toxiproxy-api.js';
import { apiCall } from '../helpers/api-call.js';
import { echoRoundTrip, portOf, startEchoServer, type EchoServer } from '../helpers/tcp-echo.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(proxies: FaultProxySet = createFaultProxies({ seed: 1 }), handlerTimeoutMs?: number): Promise<{ api: ToxiproxyApi; proxies: FaultProxySet }> {
  cleanups.push(() => proxies.close());
  const api = await startToxiproxyApi(proxies, { host: '127.0.0.1', port: 0, ...(handlerTimeoutMs === undefined ? {} : { handlerTimeoutMs }) });
  cleanups.push(() => api.close());
  return { api, proxies };
}

async function echoServer(): Promise<EchoServer> {
  const echo = await startEchoServer();
  cleanups.push(() => echo.close());
  return echo;
}

describe('the Toxiproxy API at its edges', () => {
  it('refuses browsers (User-Agent Mozilla/…) with 403, as Toxiproxy\'s CSRF guard does', async () => {
    const { api } = await start();
    const answer = await apiCall(api.url, 'POST', '/proxies', { name: 'x', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(answer.status).toBe(403);
    expect(answer.text).toBe('User agent not allowed\n');
    expect((await apiCall(api.url, 'GET', '/proxies')).json).toEqual({});
  });

  it('answers an unknown path 404 and a known path with the wrong method 405, as gorilla/mux does', async () => {
    const { api } = await start();
    expect(await apiCall(api.url, 'GET', '/nope')).toMatchObject({ status: 404, text: '404 page not found\n' });
    expect((await apiCall(api.url, 'GET', '/proxies/')).status).toBe(404);
    expect((await apiCall(api.url, 'PUT', '/proxies')).status).toBe(405);
    expect((await apiCall(api.url, 'GET', '/reset')).status).toBe(405);
    expect((await apiCall(api.url, 'DELETE', '/version')).status).toBe(405);
  });

  it('bounds a request body (413)', async () => {
    const { api } = await start();
    const answer = await apiCall(api.url, 'POST', '/populate', `[${'"x",'.repeat(300_000)}"x"]`);
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ error: expect.stringMatching(/^request body too large/), status: 413 });
  });

  it('answers 503 when a handler outlives the handler timeout (Toxiproxy\'s is 25 s), and keeps serving', async () => {
    const real = createFaultProxies({ seed: 1 });
    const stuck: FaultProxySet = { ...bind(real), reset: () => new Promise<void>(() => undefined) };
    const { api } = await start(stuck, 200);
    const started = performance.now();
    const answer = await apiCall(api.url, 'POST', '/reset');
    expect(answer.status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect((await apiCall(api.url, 'GET', '/version')).status).toBe(200);
  });

  it('serves Toxiproxy\'s byte counters on GET /metrics, per proxy and direction', async () => {
    const { api } = await start();
    const echo = await echoServer();
    const created = await apiCall(api.url, 'POST', '/proxies', { name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const listen = String(Object(created.json).listen);
    await echoRoundTrip(portOf(listen), 'hello');

    const metrics = await apiCall(api.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusTextFormat(metrics.text);
    const value = (family: string, direction: string) =>
      families.find((candidate) => candidate.name === family)?.metrics.find((sample) => sample.labels?.['direction'] === direction);
    for (const family of ['toxiproxy_proxy_received_bytes_total', 'toxiproxy_proxy_sent_bytes_total']) {
      expect(families.find((candidate) => candidate.name === family)?.type).toBe('COUNTER');
      for (const direction of ['upstream', 'downstream']) {
        const sample = value(family, direction);
        expect(sample?.labels).toEqual({ direction, proxy: 'echo', listener: listen, upstream: `127.0.0.1:${echo.port}` });
        expect(Number(sample?.value)).toBe(5);
      }
    }
  });
});

/** The set's methods bound to it, so a test can swap one and keep the rest. */
function bind(set: FaultProxySet): FaultProxySet {
  return {
    list: () => set.list(),
    get: (name) => set.get(name),
    create: (input) => set.create(input),
    update: (name, changes) => set.update(name, changes),
    remove: (name) => set.remove(name),
    populate: (inputs) => set.populate(inputs),
    addToxic: (proxy, input) => set.addToxic(proxy, input),
    updateToxic: (proxy, toxic, changes) => set.updateToxic(proxy, toxic, changes),
    removeToxic: (proxy, toxic) => set.removeToxic(proxy, toxic),
    reset: () => set.reset(),
    bytes: () => set.bytes(),
    changes: () => set.changes(),
    close: () => set.close(),
  };
}
