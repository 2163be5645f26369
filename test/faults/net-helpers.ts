import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { createFaultProxies } from '../../src/faults/fault-proxies.js';
import type { FaultProxySet, Proxy } from '../../src/faults/proxy-model.js';

/** A loopback TCP server for tests that closes with every socket it accepted. */
export interface TestServer {
  port: number;
  address: string;
  close(): Promise<void>;
}

export async function startServer(onSocket: (socket: Socket) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bound = server.address();
  const port = bound !== null && typeof bound === 'object' ? bound.port : 0;
  return {
    port,
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export const startEcho = (): Promise<TestServer> => startServer((socket) => socket.pipe(socket));

/** Sends `payload` as soon as a client connects, then ends when `end` is set. */
export const startSender = (payload: Buffer | string, end = true): Promise<TestServer> =>
  startServer((socket) => {
    if (end) socket.end(payload);
    else socket.write(payload);
  });

/** A client that records every read with its arrival time, and how the connection ended. */
export class TestClient {
  readonly reads: Array<{ data: Buffer; at: number; total: number }> = [];
  readonly opened: number;
  readonly ended: Promise<number>;
  readonly closed: Promise<{ at: number; error: NodeJS.ErrnoException | undefined }>;
  readonly socket: Socket;
  private error: NodeJS.ErrnoException | undefined;
  private total = 0;
  private waiters: Array<() => void> = [];

  constructor(port: number) {
    this.opened = performance.now();
    this.socket = connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (data: Buffer) => {
      this.reads.push({ data, at: performance.now(), total: this.total + data.length });
      this.total += data.length;
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error = error;
    });
    this.ended = new Promise((resolve) => this.socket.once('end', () => resolve(performance.now())));
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve({ at: performance.now(), error: this.error })));
  }

  get received(): Buffer {
    return Buffer.concat(this.reads.map((read) => read.data));
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.socket.connecting) return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
  }

  /** Resolves with the time at which at least `bytes` bytes had arrived in total. */
  async until(bytes: number, timeoutMs = 5_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.total < bytes) {
      if (performance.now() > deadline) throw new Error(`received ${this.total} of ${bytes} bytes`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.reads.find((read) => read.total >= bytes)?.at ?? performance.now();
  }

  /** Round trip through an echo: writes, and resolves with the milliseconds until it came back. */
  async roundTrip(message = 'ping'): Promise<number> {
    const before = this.total;
    const sent = performance.now();
    this.socket.write(message);
    return (await this.until(before + Buffer.byteLength(message))) - sent;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A proxy set with one proxy `p` in front of `upstream`; everything is closed by `close`. */
async function proxyTo(upstream: TestServer, seed = 1): Promise<{ proxies: FaultProxySet; proxy: Proxy; port: number }> {
  const proxies = createFaultProxies({ seed });
  const proxy = await proxies.create({ name: 'p', listen: '127.0.0.1:0', upstream: upstream.address });
  return { proxies, proxy, port: portOf(proxy) };
}

export function portOf(proxy: Proxy): number {
  return Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a test opens (servers, proxy sets, clients), all closed after each test, and a proxied server in one call. */
export function useTestNetwork(): {
  server(server: TestServer): TestServer;
  proxies(set: FaultProxySet): FaultProxySet;
  client(port: number): TestClient;
  setUp(server: TestServer): Promise<{ set: FaultProxySet; open: () => TestClient }>;
} {
  let proxies: FaultProxySet | undefined;
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await proxies?.close();
    proxies = undefined;
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const network = {
    server(server: TestServer): TestServer {
      servers.push(server);
      return server;
    },
    proxies(set: FaultProxySet): FaultProxySet {
      proxies = set;
      return set;
    },
    client(port: number): TestClient {
      const client = new TestClient(port);
      clients.push(client);
      return client;
    },
    async setUp(server: TestServer): Promise<{ set: FaultProxySet; open: () => TestClient }> {
      const { proxies: set, port } = await proxyTo(network.server(server));
      network.proxies(set);
      return { set, open: () => network.client(port) };
    },
  };
  return network;
}
