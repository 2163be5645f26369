import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFaultProxies } from '../../src/faults/fault-proxies.js';
import type { FaultProxySet } from '../../src/faults/proxy-model.js';
import { startToxiproxyApi, type ToxiproxyApi } from '../../src/faults/toxiproxy-api.js';
import { createToxiproxyClient, ToxiproxyError, type ToxiproxyClient } from '../../src/faults/toxiproxy-client.js';
import { readVersion } from '../../src/version.js';
import { closeServers } from '../helpers/close-servers.js';
import { portClosed } from '../helpers/port-closed.js';
import { echoes, echoRoundTrip, portOf, startEchoServer, type EchoServer } from '../helpers/tcp-echo.js';

let proxies: FaultProxySet;
let api: ToxiproxyApi;
let echo: EchoServer;
let client: ToxiproxyClient;
const servers: Server[] = [];
beforeEach(async () => {
  echo = await startEchoServer();
  proxies = createFaultProxies({ seed: 3 });
  api = await startToxiproxyApi(proxies, { host: '127.0.0.1', port: 0 });
  client = createToxiproxyClient(`${api.url}/`);
});
afterEach(async () => {
  await closeServers(servers);
  await api.close();
  await proxies.close();
  await echo.close();
});

/** A stand-in for another Toxiproxy version: answers every request with `answer`. */
async function fakeToxiproxy(answer: (method: string, path: string) => { status: number; body: string }): Promise<string> {
  const server = createServer((request, response) => {
    const { status, body } = answer(request.method ?? '', request.url ?? '');
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

async function refusal(promise: Promise<unknown>): Promise<ToxiproxyError> {
  const error: unknown = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof ToxiproxyError)) throw new Error(`expected a ToxiproxyError, got ${String(error)}`);
  return error;
}

describe('the Toxiproxy client, against live-assure proxy', () => {
  it('runs a rehearsal\'s calls: create, inject, update, remove, down and up, reset, delete', async () => {
    expect(client.url).toBe(api.url);
    expect(await client.version()).toBe(readVersion());
    const created = await client.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    expect(created).toEqual({ name: 'echo', listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream: `127.0.0.1:${echo.port}`, enabled: true, toxics: [] });
    const port = portOf(created.listen);

    const toxic = await client.addToxic('echo', { type: 'latency', attributes: { latency: 200 } });
    expect(toxic).toEqual({ name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: expect.objectContaining({ latency: 200 }) });
    expect(await echoRoundTrip(port)).toBeGreaterThanOrEqual(180);
    expect(await client.updateToxic('echo', 'latency_downstream', { toxicity: 0.5 })).toMatchObject({ toxicity: 0.5 });
    expect((await client.getProxy('echo')).toxics).toHaveLength(1);
    await client.removeToxic('echo', 'latency_downstream');
    expect((await client.getProxy('echo')).toxics).toEqual([]);

    expect(await client.disable('echo')).toMatchObject({ enabled: false });
    expect(await echoes(port)).toBe(false);
    expect(await client.enable('echo')).toMatchObject({ enabled: true });
    expect(await echoes(port)).toBe(true);

    await client.addToxic('echo', { type: 'timeout', attributes: { timeout: 0 } });
    await client.disable('echo');
    await client.reset();
    expect(await client.getProxy('echo')).toMatchObject({ enabled: true, toxics: [] });

    expect(await client.updateProxy('echo', { upstream: `localhost:${echo.port}` })).toMatchObject({ upstream: `localhost:${echo.port}` });
    await client.deleteProxy('echo');
    expect(await client.proxies()).toEqual({});
    expect(await portClosed(port)).toBe(true);
  });

  it('populates and lists', async () => {
    const populated = await client.populate([
      { name: 'a', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
      { name: 'b', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}`, enabled: false },
    ]);
    expect(populated.map((proxy) => [proxy.name, proxy.enabled])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    const listed = await client.proxies();
    expect(Object.keys(listed)).toEqual(['a', 'b']);
    expect(listed['a']).toEqual(populated[0]);
  });

  it('throws a ToxiproxyError with Toxiproxy\'s status and message', async () => {
    await client.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const exists = await refusal(client.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` }));
    expect(exists).toMatchObject({ status: 409, message: 'proxy already exists', request: 'POST /proxies' });
    expect(await refusal(client.getProxy('nope'))).toMatchObject({ status: 404, message: 'proxy not found', request: 'GET /proxies/nope' });
    expect(await refusal(client.removeToxic('echo', 'nope'))).toMatchObject({ status: 404, message: 'toxic not found' });
    expect(await refusal(client.addToxic('echo', { type: 'nope' }))).toMatchObject({ status: 400, message: 'invalid toxic type' });
  });

  it('says so when nothing answers (status null)', async () => {
    const closed = await fakeToxiproxy(() => ({ status: 200, body: '' }));
    await closeServers(servers);
    const error = await refusal(createToxiproxyClient(closed).version());
    expect(error.status).toBeNull();
    expect(error.message).toMatch(new RegExp(`^Toxiproxy at ${closed} did not answer GET /version: .*ECONNREFUSED`));

    const slow = createServer(() => undefined);
    servers.push(slow);
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const address = slow.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const timedOut = await refusal(createToxiproxyClient(url, { timeoutMs: 100 }).reset());
    expect(timedOut).toMatchObject({ status: null, message: expect.stringContaining('no answer within 100 ms') });
  });
});

describe('the Toxiproxy client, against other Toxiproxy versions', () => {
  it('reads the plain-text version of Toxiproxy before 2.7 and the old {"title"} errors of 2.0', async () => {
    const url = await fakeToxiproxy((_method, path) => (path === '/version' ? { status: 200, body: '2.1.4' } : { status: 404, body: '{"title":"proxy not found","status":404}' }));
    const old = createToxiproxyClient(url);
    expect(await old.version()).toBe('2.1.4');
    expect(await refusal(old.getProxy('x'))).toMatchObject({ status: 404, message: 'proxy not found' });
  });

  it('falls back to POST for updates when the server predates PATCH (405, before 2.6)', async () => {
    const seen: string[] = [];
    const proxy = { name: 'redis', listen: '127.0.0.1:26379', upstream: '127.0.0.1:6379', enabled: false, toxics: null };
    const url = await fakeToxiproxy((method, path) => {
      seen.push(`${method} ${path}`);
      return method === 'PATCH' ? { status: 405, body: '' } : { status: 200, body: JSON.stringify(proxy) };
    });
    expect(await createToxiproxyClient(url).disable('redis')).toEqual({ ...proxy, toxics: [] });
    expect(seen).toEqual(['PATCH /proxies/redis', 'POST /proxies/redis']);
  });

  it('passes on a browser refusal\'s plain text', async () => {
    const url = await fakeToxiproxy(() => ({ status: 403, body: 'User agent not allowed\n' }));
    expect(await refusal(createToxiproxyClient(url).proxies())).toMatchObject({ status: 403, message: 'User agent not allowed' });
  });
});
