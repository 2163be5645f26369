import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFaultProxies } from '../../src/faults/fault-proxies.js';
import type { FaultProxySet } from '../../src/faults/proxy-model.js';
import { startToxiproxyApi, type ToxiproxyApi } from '../../src/faults/toxiproxy-api.js';
import { readVersion } from '../../src/version.js';
import { apiCall } from '../helpers/api-call.js';
import { echoes, portOf, startEchoServer, type EchoServer } from '../helpers/tcp-echo.js';

let proxies: FaultProxySet;
let api: ToxiproxyApi;
let echo: EchoServer;
const call = (method: string, path: string, body?: unknown) => apiCall(api.url, method, path, body);
const upstream = () => `127.0.0.1:${echo.port}`;
const createEcho = (name = 'echo') => call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: upstream() });

beforeEach(async () => {
  echo = await startEchoServer();
  proxies = createFaultProxies({ seed: 1 });
  api = await startToxiproxyApi(proxies, { host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await api.close();
  await proxies.close();
  await echo.close();
});

describe('the Toxiproxy API: proxies', () => {
  it('creates a proxy (201) in Toxiproxy\'s shape, bound to a real port, and refuses a second of the same name (409)', async () => {
    const created = await createEcho();
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/json');
    expect(created.json).toEqual({ name: 'echo', listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream: upstream(), enabled: true, toxics: [] });
    expect(Object.keys(created.json ?? {})).toEqual(['name', 'listen', 'upstream', 'enabled', 'toxics']);
    const listen = String(Object(created.json).listen);
    expect(portOf(listen)).toBeGreaterThan(0);
    expect(await echoes(portOf(listen))).toBe(true);

    const again = await createEcho();
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: 'proxy already exists', status: 409 });
    expect(again.text.endsWith('\n')).toBe(true);
  });

  it('creates a disabled proxy when asked, and says which required field is missing', async () => {
    const disabled = await call('POST', '/proxies', { name: 'off', listen: '127.0.0.1:0', upstream: upstream(), enabled: false });
    expect(disabled.status).toBe(201);
    expect(disabled.json).toMatchObject({ name: 'off', enabled: false });

    expect((await call('POST', '/proxies', { listen: '127.0.0.1:0', upstream: upstream() })).json).toEqual({ error: 'missing required field: name', status: 400 });
    expect((await call('POST', '/proxies', { name: 'x', listen: '127.0.0.1:0' })).json).toEqual({ error: 'missing required field: upstream', status: 400 });
  });

  it('answers a body that is not JSON, or not of the right types, with 400 "bad request body"', async () => {
    const broken = await call('POST', '/proxies', '{"name": ');
    expect(broken.status).toBe(400);
    expect(broken.json).toEqual({ error: expect.stringMatching(/^bad request body: /), status: 400 });
    expect((await call('POST', '/proxies', '')).json).toEqual({ error: 'bad request body: EOF', status: 400 });
    expect((await call('POST', '/proxies', { name: 5, upstream: upstream() })).json).toEqual({ error: 'bad request body: name: expected a string, got 5', status: 400 });
    expect((await call('POST', '/proxies', [1])).status).toBe(400);
  });

  it('lists proxies as an object keyed by name (GET /proxies) and shows one (GET /proxies/{p})', async () => {
    expect((await call('GET', '/proxies')).json).toEqual({});
    await createEcho('b');
    await createEcho('a');
    const index = await call('GET', '/proxies');
    expect(index.status).toBe(200);
    expect(Object.keys(Object(index.json))).toEqual(['a', 'b']);
    expect(index.json).toMatchObject({ a: { name: 'a', upstream: upstream(), enabled: true, toxics: [] }, b: { name: 'b' } });

    const shown = await call('GET', '/proxies/a');
    expect(shown.status).toBe(200);
    expect(shown.json).toEqual(Object(index.json).a);
    expect(await call('GET', '/proxies/nope')).toMatchObject({ status: 404, json: { error: 'proxy not found', status: 404 } });
  });

  it('updates a proxy with PATCH or the deprecated POST: disabled refuses connections, enabled accepts them again', async () => {
    const listen = String(Object((await createEcho()).json).listen);
    const disabled = await call('PATCH', '/proxies/echo', { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({ name: 'echo', enabled: false });
    expect(await echoes(portOf(listen))).toBe(false);

    const enabled = await call('POST', '/proxies/echo', { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.json).toMatchObject({ name: 'echo', enabled: true, listen });
    expect(await echoes(portOf(listen))).toBe(true);

    expect((await call('PATCH', '/proxies/nope', { enabled: false })).status).toBe(404);
    expect((await call('PATCH', '/proxies/echo', 'nope')).status).toBe(400);
  });

  it('deletes a proxy (204, no body), closing its port', async () => {
    const listen = String(Object((await createEcho()).json).listen);
    const deleted = await call('DELETE', '/proxies/echo');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await call('GET', '/proxies/echo')).status).toBe(404);
    expect(await echoes(portOf(listen))).toBe(false);
    expect((await call('DELETE', '/proxies/echo')).json).toEqual({ error: 'proxy not found', status: 404 });
  });

  it('populates from a bare array (201, {"proxies": [...]}), leaves an unchanged proxy alone, and checks every entry first', async () => {
    const populated = await call('POST', '/populate', [
      { name: 'one', listen: '127.0.0.1:0', upstream: upstream() },
      { name: 'two', listen: '127.0.0.1:0', upstream: upstream(), enabled: false },
    ]);
    expect(populated.status).toBe(201);
    expect(populated.json).toEqual({
      proxies: [
        { name: 'one', listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream: upstream(), enabled: true, toxics: [] },
        { name: 'two', listen: expect.any(String), upstream: upstream(), enabled: false, toxics: [] },
      ],
    });
    const one = String(Object(Object(populated.json).proxies[0]).listen);
    await call('POST', '/proxies/one/toxics', { type: 'latency', attributes: { latency: 10 } });

    // Same listen and upstream: the proxy (and its toxic) stay as they are.
    const again = await call('POST', '/populate', { proxies: [{ name: 'one', listen: one, upstream: upstream() }] });
    expect(again.status).toBe(201);
    expect(Object(again.json).proxies[0]).toMatchObject({ name: 'one', listen: one });
    expect((await call('GET', '/proxies/one/toxics')).json).toHaveLength(1);

    const bad = await call('POST', '/populate', [{ name: 'three', listen: '127.0.0.1:0', upstream: upstream() }, { name: 'four', listen: '127.0.0.1:0' }]);
    expect(bad.json).toEqual({ error: 'missing required field: upstream at proxy 2', status: 400 });
    expect((await call('GET', '/proxies/three')).status).toBe(404);
    expect((await call('POST', '/populate', { name: 'x' })).status).toBe(400);
  });
});

describe('the Toxiproxy API: toxics', () => {
  beforeEach(async () => {
    await createEcho();
  });

  it('adds a toxic with Toxiproxy\'s defaults (200, downstream, toxicity 1, name <type>_<stream>) and lists and shows it', async () => {
    const added = await call('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: 100, jitter: 5 } });
    expect(added.status).toBe(200);
    expect(added.json).toEqual({ attributes: { latency: 100, jitter: 5 }, name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1 });
    expect(Object.keys(Object(added.json))).toEqual(['attributes', 'name', 'type', 'stream', 'toxicity']);

    const named = await call('POST', '/proxies/echo/toxics', { name: 'slow', type: 'bandwidth', stream: 'upstream', toxicity: 0.5, attributes: { rate: 10 } });
    expect(named.json).toEqual({ attributes: { rate: 10 }, name: 'slow', type: 'bandwidth', stream: 'upstream', toxicity: 0.5 });

    const listed = await call('GET', '/proxies/echo/toxics');
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual(expect.arrayContaining([added.json, named.json]));
    expect(listed.json).toHaveLength(2);
    expect((await call('GET', '/proxies/echo/toxics/slow')).json).toEqual(named.json);
    expect(Object((await call('GET', '/proxies/echo')).json).toxics).toHaveLength(2);
  });

  it('refuses a duplicate (409), an unknown type or stream (400), and a missing proxy or toxic (404)', async () => {
    await call('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: 1 } });
    expect((await call('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: 1 } })).json).toEqual({ error: 'toxic already exists', status: 409 });
    expect((await call('POST', '/proxies/echo/toxics', { type: 'nope' })).json).toEqual({ error: 'invalid toxic type', status: 400 });
    expect((await call('POST', '/proxies/echo/toxics', { type: 'latency', stream: 'sideways' })).json).toEqual({
      error: 'stream was invalid, can be either upstream or downstream',
      status: 400,
    });
    expect((await call('POST', '/proxies/nope/toxics', { type: 'latency' })).json).toEqual({ error: 'proxy not found', status: 404 });
    expect((await call('GET', '/proxies/nope/toxics')).status).toBe(404);
    expect((await call('GET', '/proxies/echo/toxics/nope')).json).toEqual({ error: 'toxic not found', status: 404 });
    expect((await call('PATCH', '/proxies/echo/toxics/nope', { toxicity: 1 })).json).toEqual({ error: 'toxic not found', status: 404 });
    expect((await call('DELETE', '/proxies/echo/toxics/nope')).json).toEqual({ error: 'toxic not found', status: 404 });
  });

  it('updates a toxic\'s attributes and toxicity with PATCH or POST, keeping its name, type and stream', async () => {
    await call('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: 100, jitter: 0 } });
    const patched = await call('PATCH', '/proxies/echo/toxics/latency_downstream', { attributes: { latency: 250 } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ name: 'latency_downstream', type: 'latency', stream: 'downstream', attributes: { latency: 250 } });
    const posted = await call('POST', '/proxies/echo/toxics/latency_downstream', { toxicity: 0.25 });
    expect(posted.json).toMatchObject({ name: 'latency_downstream', toxicity: 0.25, attributes: { latency: 250 } });
    expect((await call('PATCH', '/proxies/echo/toxics/latency_downstream', { toxicity: 'high' })).status).toBe(400);
  });

  it('removes a toxic (204, no body)', async () => {
    await call('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: 1 } });
    const removed = await call('DELETE', '/proxies/echo/toxics/latency_downstream');
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect((await call('GET', '/proxies/echo/toxics')).json).toEqual([]);
  });

  it('resets (204): every toxic removed, every proxy enabled', async () => {
    await call('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: 1 } });
    await call('PATCH', '/proxies/echo', { enabled: false });
    const reset = await call('POST', '/reset');
    expect(reset.status).toBe(204);
    expect(reset.text).toBe('');
    expect((await call('GET', '/proxies/echo')).json).toMatchObject({ enabled: true, toxics: [] });
  });
});

describe('the Toxiproxy API: version', () => {
  it('answers GET /version in Toxiproxy\'s format, with live-assure\'s version', async () => {
    const version = await call('GET', '/version');
    expect(version.status).toBe(200);
    expect(version.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(version.text).toBe(`{"version": "${readVersion()}"}\n`);
  });
});
