import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { transportErrorKind } from '../../src/engine/error-kind.js';
import { createHttpTransport, type HttpRequest, type HttpResponse, type Transport } from '../../src/engine/http-transport.js';

const servers: Array<Server | TcpServer> = [];
const transports: Transport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          if ('closeAllConnections' in server) server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function listen<T extends Server | TcpServer>(server: T): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw TCP server: `answer` gets each request's bytes (one read per request is enough here) and the socket. */
function rawServer(answer: (request: string, socket: Socket, index: number) => void): { server: TcpServer; sockets: Socket[] } {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    let index = 0;
    socket.on('data', (data) => answer(data.toString('latin1'), socket, index++));
    socket.on('error', () => undefined);
  });
  return { server, sockets };
}

function transport(connections = 4): Transport {
  const created = createHttpTransport({ connections, connectTimeoutMs: 1000 });
  transports.push(created);
  return created;
}

function request(origin: string, fields: Partial<HttpRequest> = {}): HttpRequest {
  return { origin, path: '/', method: 'GET', headers: [], body: undefined, timeoutMs: 2000, readBody: true, ...fields };
}

function send(through: Transport, what: HttpRequest): Promise<{ error?: Error; response?: HttpResponse; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    through.send(what, (error, response) => resolve({ ...(error === undefined ? {} : { error }), ...(response === undefined ? {} : { response }), ms: performance.now() - start }));
  });
}

describe('the load transport (HTTP/1.1 on node:net)', () => {
  test('sends method, path, headers and body as written, and reads status and body', async () => {
    const seen: Array<{ method?: string; url?: string; headers: Record<string, unknown>; body: string }> = [];
    const origin = await listen(
      createHttpServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, headers: req.headers, body });
          res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":"✓"}');
        });
      }),
    );
    const through = transport();
    const result = await send(through, request(origin, { method: 'POST', path: '/danmaku/send?room_id=7', headers: ['x-live-assure-shadow', 'run-1', 'content-type', 'application/json'], body: '{"msg":"你好"}' }));
    expect(result.response).toEqual({ status: 201, body: '{"ok":"✓"}' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/danmaku/send?room_id=7', body: '{"msg":"你好"}' });
    expect(seen[0]?.headers).toMatchObject({ 'x-live-assure-shadow': 'run-1', host: origin.slice('http://'.length), 'content-length': String(Buffer.byteLength('{"msg":"你好"}')) });
    expect(through.inFlight).toBe(0);
  });

  test('keeps connections alive: sequential requests share one socket; bodies not asked for are dropped', async () => {
    let sockets = 0;
    const server = createHttpServer((_req, res) => res.end('x'.repeat(100_000)));
    server.on('connection', () => (sockets += 1));
    const origin = await listen(server);
    const through = transport(4);
    for (let index = 0; index < 20; index += 1) {
      const result = await send(through, request(origin, { readBody: false }));
      expect(result.response).toEqual({ status: 200, body: undefined });
    }
    expect(sockets).toBe(1);
  });

  test('a fixed request is encoded once and still sent right every time', async () => {
    const urls: string[] = [];
    const origin = await listen(createHttpServer((req, res) => res.end(String(urls.push(req.url ?? '')))));
    const through = transport(2);
    const fixed = { ...request(origin, { path: '/room/info?room_id=1' }), fixed: true };
    const results = await Promise.all(Array.from({ length: 10 }, () => send(through, fixed)));
    expect(results.every((result) => result.response?.status === 200)).toBe(true);
    expect(urls).toEqual(Array(10).fill('/room/info?room_id=1'));
  });

  test('chunked bodies and bodies read until close', async () => {
    const chunked = await listen(
      createHttpServer((_req, res) => {
        res.write('{"a":');
        setTimeout(() => res.end('1}'), 5);
      }),
    );
    const { server } = rawServer((_request, socket) => socket.end('HTTP/1.0 200 OK\r\n\r\nuntil close'));
    const untilClose = await listen(server);
    const through = transport();
    expect((await send(through, request(chunked))).response).toEqual({ status: 200, body: '{"a":1}' });
    expect((await send(through, request(untilClose))).response).toEqual({ status: 200, body: 'until close' });
    expect((await send(through, request(untilClose))).response).toEqual({ status: 200, body: 'until close' });
  });

  test('more requests than connections wait in order, and the wait is reported', async () => {
    const order: string[] = [];
    const origin = await listen(
      createHttpServer((req, res) => {
        order.push(req.url ?? '');
        setTimeout(() => res.end('ok'), 20);
      }),
    );
    const through = transport(2);
    const results = Promise.all(['/1', '/2', '/3', '/4', '/5'].map((path) => send(through, request(origin, { path }))));
    expect(through.inFlight).toBe(5);
    expect(through.waiting).toBe(3);
    expect(through.takeMaxQueued()).toBe(3);
    expect((await results).map((result) => result.response?.status)).toEqual([200, 200, 200, 200, 200]);
    expect(order).toEqual(['/1', '/2', '/3', '/4', '/5']);
    expect(through.waiting).toBe(0);
    expect(through.takeMaxQueued()).toBe(0);
  });

  test('the timeout covers the whole request: no answer, or no free connection, is a timeout on time', async () => {
    const { server } = rawServer(() => undefined);
    const origin = await listen(server);
    const through = transport(1);
    const [answered, waited] = await Promise.all([send(through, request(origin, { timeoutMs: 150 })), send(through, request(origin, { timeoutMs: 100 }))]);
    expect(transportErrorKind(answered.error)).toBe('timeout');
    expect(answered.error?.message).toMatch(/no complete response within 150 ms/);
    expect(answered.ms).toBeGreaterThanOrEqual(149);
    expect(answered.ms).toBeLessThan(400);
    expect(transportErrorKind(waited.error)).toBe('timeout');
    expect(waited.error?.message).toMatch(/waited 100 ms for a free connection/);
    expect(through.inFlight).toBe(0);
  });

  test('nothing listening is refused; a server that hangs up without answering is a reset', async () => {
    const { server } = rawServer((_request, socket) => socket.destroy());
    const hangsUp = await listen(server);
    const closed = createTcpServer();
    const closedOrigin = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    servers.splice(servers.indexOf(closed), 1);
    const through = transport();
    expect(transportErrorKind((await send(through, request(closedOrigin))).error)).toBe('refused');
    expect(transportErrorKind((await send(through, request(hangsUp))).error)).toBe('reset');
  });

  test('a kept-alive connection the server dropped is retried once on a new one for GET, never for POST', async () => {
    // Answers the first request on each socket, then drops the socket when the second arrives:
    // what a server whose keep-alive timeout fires just as the client reuses the connection does.
    const { server, sockets } = rawServer((_request, socket, index) => {
      if (index === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.destroy();
    });
    const origin = await listen(server);
    const through = transport(1);
    expect((await send(through, request(origin))).response?.status).toBe(200);
    expect((await send(through, request(origin))).response?.status).toBe(200);
    expect(sockets).toHaveLength(2);
    const post = await send(through, request(origin, { method: 'POST', body: '{}' }));
    expect(transportErrorKind(post.error)).toBe('reset');
    expect(sockets).toHaveLength(2);
  });

  test('a line break in a header value is refused before anything is sent', async () => {
    let requests = 0;
    const origin = await listen(createHttpServer((_req, res) => res.end(String((requests += 1)))));
    const through = transport();
    const result = await send(through, request(origin, { headers: ['x-captured', 'a\r\nx-injected: 1'] }));
    expect(result.error?.message).toMatch(/line break in header "x-captured"/);
    expect(transportErrorKind(result.error)).toBe('other');
    expect(requests).toBe(0);
    expect(through.inFlight).toBe(0);
  });

  test('a response that is not HTTP is an error, and the connection is not reused', async () => {
    const { server, sockets } = rawServer((_request, socket, index) => socket.write(index === 0 && sockets.length === 1 ? 'SSH-2.0-OpenSSH\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const origin = await listen(server);
    const through = transport(1);
    const result = await send(through, request(origin));
    expect(result.error?.message).toMatch(/not an HTTP\/1 response/);
    expect((await send(through, request(origin))).response?.status).toBe(200);
    expect(sockets).toHaveLength(2);
  });
});
