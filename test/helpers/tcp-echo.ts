import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface EchoServer {
  port: number;
  close(): Promise<void>;
}

/** A loopback TCP server that writes back whatever it reads: the upstream behind a fault proxy under test. */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `host:port` → port, for a proxy's `listen`. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** Milliseconds from writing `message` to reading it all back over a fresh connection to `port`. */
export async function echoRoundTrip(port: number, message = 'ping'): Promise<number> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    const started = performance.now();
    socket.write(message);
    let received = '';
    for await (const chunk of socket) {
      received += String(chunk);
      if (received.length >= message.length) break;
    }
    if (received !== message) throw new Error(`echo answered ${JSON.stringify(received)}, not ${JSON.stringify(message)}`);
    return performance.now() - started;
  } finally {
    socket.destroy();
  }
}

/** Whether a connection to `port` is accepted and then carries an echo (false when refused or dropped). */
export async function echoes(port: number): Promise<boolean> {
  try {
    await echoRoundTrip(port);
    return true;
  } catch {
    return false;
  }
}
