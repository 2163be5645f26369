import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runDemo, type DemoCommandOptions } from '../../src/commands/demo.js';
import { parseUpstreamOverrides } from '../../src/demo/upstream-overrides.js';
import { UsageError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { closeServers } from '../helpers/close-servers.js';
import { startDemo, type DemoUnderTest } from '../helpers/demo-client.js';
import { createTestIo } from '../helpers/test-io.js';

/** `--upstream <service>=<host:port>`: the gateway reaches a service somewhere else (a fault proxy in front of it). */

let demo: DemoUnderTest | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await demo?.close();
  demo = undefined;
  await closeServers(servers);
});

/** A stand-in for what sits in front of gift-svc: answers every request itself, and remembers what it was asked. */
async function startStandIn(): Promise<{ address: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', stand_in: true }));
  });
  servers.push(server);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const demoOptions: DemoCommandOptions = { port: '0', host: '127.0.0.1', shadowRouting: true, hotRoomQps: '50', adminToken: 'upstream-token-1' };

describe('upstream overrides', () => {
  it('send the gateway\'s traffic for that service, and its health check, to the address given', async () => {
    const standIn = await startStandIn();
    demo = await startDemo({ upstreams: { 'gift-svc': standIn.address } });
    expect((await demo.get('/gift/rank?room_id=1')).body).toEqual({ status: 'ok', stand_in: true });
    expect((await demo.post('/gift/send', { room_id: 1, uid: 1, gift_id: 1 })).body).toEqual({ status: 'ok', stand_in: true });
    expect((await demo.get('/room/info?room_id=1')).body).toMatchObject({ room_id: '1', served_from: 'storage' });
    expect((await demo.get('/healthz')).status).toBe(200);
    expect(standIn.seen).toEqual(['GET /gift/rank?room_id=1', 'POST /gift/send', 'GET /healthz']);

    const services = demo.platform.services;
    expect(services.map((service) => service.name)).toEqual(['room-svc', 'danmaku-svc', 'gift-svc']);
    expect(services.find((service) => service.name === 'gift-svc')).toEqual({ name: 'gift-svc', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), gatewayVia: standIn.address });
    expect(services.find((service) => service.name === 'room-svc')).not.toHaveProperty('gatewayVia');
    // The service itself still answers at its own address.
    const own = services.find((service) => service.name === 'gift-svc')?.url ?? '';
    expect((await fetch(`${own}/gift/rank?room_id=1`)).status).toBe(200);
  });

  it('are read from `<service>=<host:port>`, one per service', () => {
    expect(parseUpstreamOverrides(['gift-svc=127.0.0.1:7003', 'room-svc=[::1]:80', 'danmaku-svc=proxy.internal:9000'])).toEqual({
      'gift-svc': '127.0.0.1:7003',
      'room-svc': '[::1]:80',
      'danmaku-svc': 'proxy.internal:9000',
    });
    expect(parseUpstreamOverrides([])).toEqual({});
    expect(parseUpstreamOverrides(['gift-svc'])).toEqual({ error: '--upstream must be <service>=<host:port>, e.g. gift-svc=127.0.0.1:7003, not "gift-svc"' });
    expect(parseUpstreamOverrides(['cdn=127.0.0.1:80'])).toEqual({ error: '--upstream: no service "cdn"; the services are room-svc, danmaku-svc, gift-svc' });
    for (const address of ['127.0.0.1:0', '127.0.0.1:65536', ':80', '127.0.0.1', 'http://127.0.0.1:80', 'a b:80']) {
      expect(parseUpstreamOverrides([`gift-svc=${address}`])).toEqual({ error: `--upstream gift-svc: expected host:port with a port from 1 to 65535, not ${JSON.stringify(address)}` });
    }
    expect(parseUpstreamOverrides(['gift-svc=127.0.0.1:1', 'gift-svc=127.0.0.1:2'])).toEqual({ error: '--upstream gift-svc is given twice' });
  });

  it('show in `demo --json` next to each service\'s own address', async () => {
    const standIn = await startStandIn();
    const io = createTestIo({ stopWhen: (out) => out.includes('\n') });
    expect(await runDemo({ ...demoOptions, json: true, upstream: [`danmaku-svc=${standIn.address}`] }, io)).toBe(ExitCode.Ok);
    const described = JSON.parse(io.out()) as { services: unknown[] };
    expect(described.services).toEqual([
      { name: 'room-svc', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
      { name: 'danmaku-svc', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), gateway_via: standIn.address },
      { name: 'gift-svc', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
    ]);
  });

  it('show in the banner, and a bad one is a usage error before anything starts', async () => {
    const io = createTestIo({ stopWhen: (out) => out.includes('Ctrl-C stops it.') });
    expect(await runDemo({ ...demoOptions, upstream: ['room-svc=127.0.0.1:7001'] }, io)).toBe(ExitCode.Ok);
    expect(io.out()).toMatch(/^ {2}room-svc {5}http:\/\/127\.0\.0\.1:\d+ \(the gateway goes through 127\.0\.0\.1:7001\)$/m);
    expect(io.out()).toMatch(/^ {2}gift-svc {5}http:\/\/127\.0\.0\.1:\d+$/m);

    const refused = runDemo({ ...demoOptions, upstream: ['gift-svc=nowhere'] }, createTestIo());
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toMatchObject({ exitCode: ExitCode.Invalid, message: '--upstream gift-svc: expected host:port with a port from 1 to 65535, not "nowhere"' });
  });
});
