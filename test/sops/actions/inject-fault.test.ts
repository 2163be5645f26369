import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoPlatform, type DemoPlatform } from '../../../src/demo/demo-platform.js';
import { createFaultProxies } from '../../../src/faults/fault-proxies.js';
import type { FaultProxySet } from '../../../src/faults/proxy-model.js';
import { startToxiproxyApi, type ToxiproxyApi } from '../../../src/faults/toxiproxy-api.js';
import { builtInToxics, injectFault, toxiproxyToxics, type ToxicBackend } from '../../../src/sops/actions/inject-fault.js';
import { echoRoundTrip, portOf, startEchoServer, type EchoServer } from '../../helpers/tcp-echo.js';
import { sopWith, testContext, useHttpServers } from './action-fixtures.js';

const latency = { toxic: { proxy: 'store', type: 'latency', stream: 'downstream', attributes: { latency: 150, jitter: 0 } } };
const startHttp = useHttpServers();

let echo: EchoServer;
let proxies: FaultProxySet;
beforeEach(async () => {
  echo = await startEchoServer();
  proxies = createFaultProxies({ seed: 7 });
  await proxies.create({ name: 'store', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
});
afterEach(async () => {
  await proxies.close();
  await echo.close();
});

describe('toxic faults on the built-in proxies', () => {
  it('adds the toxic named after the SOP, stamps injectedAt, and removes it', async () => {
    const before = performance.now();
    const { outcome, injectedAt, remove } = await injectFault(sopWith(latency, 'room-info-storage-latency'), { ...testContext(), toxics: builtInToxics(proxies) });
    expect(outcome).toMatchObject({ ok: true, summary: 'added toxic live-assure-room-info-storage-latency (latency downstream latency=150 jitter=0, toxicity 1) on proxy store' });
    expect(injectedAt).toBeGreaterThan(before);
    expect(proxies.get('store').toxics).toEqual([{ name: 'live-assure-room-info-storage-latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 150, jitter: 0 } }]);
    expect(await echoRoundTrip(portOf(proxies.get('store').listen))).toBeGreaterThanOrEqual(140);

    expect(await remove()).toMatchObject({ ok: true, summary: 'removed toxic live-assure-room-info-storage-latency from proxy store' });
    expect(proxies.get('store').toxics).toEqual([]);
    // Rollback may run twice (abort during rollback): a toxic already gone is no failure.
    expect(await remove()).toMatchObject({ ok: true, summary: 'toxic live-assure-room-info-storage-latency is not on proxy store (already gone)' });
  });

  it('fails with the backend message for an unknown proxy, and without a backend', async () => {
    const unknown = await injectFault(sopWith({ toxic: { ...latency.toxic, proxy: 'stor' } }), { ...testContext(), toxics: builtInToxics(proxies) });
    expect(unknown.outcome.ok).toBe(false);
    expect(unknown.outcome.summary).toMatch(/on proxy stor: no proxy named "stor"; proxies: store$/);
    expect(unknown.injectedAt).toBeUndefined();
    expect((await unknown.remove()).ok).toBe(true);

    const none = await injectFault(sopWith(latency), testContext());
    expect(none.outcome).toMatchObject({ ok: false });
    expect(none.outcome.summary).toContain('no fault proxy to add it to');
  });

  it('reports any backend\'s own message when adding fails, and still tries the removal', async () => {
    const calls: string[] = [];
    const flaky: ToxicBackend = {
      add: async (proxy, toxic) => {
        calls.push(`add ${proxy} ${toxic.name}`);
        throw new Error('toxiproxy is read-only in this environment');
      },
      remove: async (proxy, name) => void calls.push(`remove ${proxy} ${name}`),
    };
    const { outcome, injectedAt, remove } = await injectFault(sopWith(latency), { ...testContext(), toxics: flaky });
    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toMatch(/on proxy store: toxiproxy is read-only in this environment$/);
    expect(injectedAt).toBeUndefined();
    // A timed-out add may have landed: rollback removes it all the same.
    expect((await remove()).ok).toBe(true);
    expect(calls).toEqual(['add store live-assure-actions-test', 'remove store live-assure-actions-test']);
  });

  it('replaces a toxic of the same name left by a rehearsal that never rolled back', async () => {
    proxies.addToxic('store', { name: 'live-assure-actions-test', type: 'latency', attributes: { latency: 9999 } });
    const { outcome } = await injectFault(sopWith(latency), { ...testContext(), toxics: builtInToxics(proxies) });
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toContain('replacing a leftover of an earlier rehearsal');
    expect(proxies.get('store').toxics.map(({ attributes }) => attributes['latency'])).toEqual([150]);
  });
});

describe('toxic faults through a Toxiproxy API', () => {
  let api: ToxiproxyApi;
  beforeEach(async () => {
    api = await startToxiproxyApi(proxies, { host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await api.close();
  });

  it('adds and removes the toxic over REST, `both` included', async () => {
    const both = sopWith({ toxic: { ...latency.toxic, stream: 'both' } });
    const { outcome, injectedAt, remove } = await injectFault(both, { ...testContext(), toxics: toxiproxyToxics(api.url) });
    expect(outcome.ok).toBe(true);
    expect(injectedAt).toBeDefined();
    expect(proxies.get('store').toxics).toMatchObject([{ name: 'live-assure-actions-test', stream: 'both' }]);
    expect((await remove()).ok).toBe(true);
    expect(proxies.get('store').toxics).toEqual([]);
  });

  it('names the proxies there are when the proxy is unknown', async () => {
    const { outcome } = await injectFault(sopWith({ toxic: { ...latency.toxic, proxy: 'redis' } }), { ...testContext(), toxics: toxiproxyToxics(api.url) });
    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toMatch(/: no proxy named "redis"; proxies: store$/);
  });

  it('splits `both` into one toxic per direction on a Toxiproxy that knows only one-way streams', async () => {
    const toxics = new Set<string>();
    const server = await startHttp((request, response) => {
      const reply = (status: number, body: unknown): void => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.method === 'POST') {
        const toxic: unknown = JSON.parse(request.body);
        const { name, stream } = typeof toxic === 'object' && toxic !== null ? Object.fromEntries(Object.entries(toxic)) : {};
        if (stream === 'both') return reply(400, { error: 'stream was invalid, can be either upstream or downstream', status: 400 });
        toxics.add(String(name));
        return reply(200, { name, type: 'latency', stream, toxicity: 1, attributes: {} });
      }
      const name = request.url.split('/').pop() ?? '';
      if (!toxics.delete(name)) return reply(404, { error: 'toxic not found', status: 404 });
      return void response.writeHead(204).end();
    });
    const { outcome, remove } = await injectFault(sopWith({ toxic: { ...latency.toxic, stream: 'both' } }), { ...testContext(), toxics: toxiproxyToxics(server.url) });
    expect(outcome.ok).toBe(true);
    expect([...toxics]).toEqual(['live-assure-actions-test-upstream', 'live-assure-actions-test-downstream']);
    expect((await remove()).ok).toBe(true);
    expect(toxics.size).toBe(0);
  });
});

describe('demo platform faults', () => {
  let platform: DemoPlatform;
  beforeAll(async () => {
    platform = await startDemoPlatform({ port: 0, adminToken: 'demo-admin-token' });
  });
  afterAll(async () => {
    await platform.close();
  });

  it('PUTs the fault with the admin token, and DELETEs it on removal', async () => {
    const sop = sopWith({ demo_fault: { target: 'store', latency_ms: 200, error_rate: '5%' } });
    const ctx = { ...testContext({ target: platform.gatewayUrl }), adminToken: 'demo-admin-token' };
    const { outcome, injectedAt, remove } = await injectFault(sop, ctx);
    expect(outcome).toMatchObject({ ok: true, summary: 'PUT /admin/faults/store → 200' });
    expect(injectedAt).toBe(outcome.endedAt);
    expect(platform.faults.get('store')).toEqual({ latency_ms: 200, error_rate: 0.05, down: false });
    expect(await remove()).toMatchObject({ ok: true, summary: 'DELETE /admin/faults/store → 200' });
    expect(platform.faults.get('store')).toEqual({ latency_ms: 0, error_rate: 0, down: false });
  });

  it('fails on a wrong token (measured vs expected), and clearly without one', async () => {
    const sop = sopWith({ demo_fault: { target: 'gift-svc', down: true } });
    const wrong = await injectFault(sop, { ...testContext({ target: platform.gatewayUrl }), adminToken: 'not-the-token' });
    expect(wrong.outcome).toMatchObject({ ok: false, summary: 'expected status 200, got 401 (PUT /admin/faults/gift-svc)' });
    expect(JSON.stringify(wrong.outcome)).not.toContain('not-the-token');
    expect(platform.faults.get('gift-svc').down).toBe(false);

    const none = await injectFault(sop, testContext({ target: platform.gatewayUrl }));
    expect(none.outcome).toMatchObject({ ok: false, summary: "demo fault on gift-svc: no admin token for the platform's /admin API" });
  });
});

describe('http and shell faults', () => {
  it('run the trigger, and its remove action on removal', async () => {
    const server = await startHttp((_request, response) => response.writeHead(200).end());
    const sop = sopWith({ http: { POST: '/chaos/slow-store' }, remove: { http: { DELETE: '/chaos/slow-store' } } });
    const { outcome, injectedAt, remove } = await injectFault(sop, testContext({ target: server.url }));
    expect(outcome).toMatchObject({ ok: true, summary: 'POST /chaos/slow-store → 200' });
    expect(injectedAt).toBeDefined();
    expect(await remove()).toMatchObject({ ok: true, summary: 'DELETE /chaos/slow-store → 200' });
    expect(server.seen.map(({ method, url }) => `${method} ${url}`)).toEqual(['POST /chaos/slow-store', 'DELETE /chaos/slow-store']);

    const shell = await injectFault(sopWith({ shell: { command: 'exit 2' }, remove: { shell: { command: 'echo removed' } } }), testContext());
    expect(shell.outcome).toMatchObject({ ok: false, summary: 'expected exit 0, got exit 2 (exit 2)' });
    expect(shell.injectedAt).toBeUndefined();
    // It ran, so it may have half-applied: removal still runs.
    expect(await shell.remove()).toMatchObject({ ok: true, output: 'removed\n' });
  });
});
