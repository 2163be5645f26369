import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpTransport } from './http-transport.js';

const WARM_UP_REQUESTS = 1000;
const WARM_UP_CONCURRENCY = 50;

/**
 * Sends a thousand requests to a throwaway loopback server in this thread before the run starts:
 * the transport's hot path gets optimised here, not during the first second of the run, where
 * the first requests used to be late by tens of milliseconds.
 * The target sees none of it.
 */
export async function warmUpTransport(): Promise<void> {
  const server = createServer((request, response) => {
    request.resume();
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? (address satisfies AddressInfo).port : 0;
  const transport = createHttpTransport({ connections: WARM_UP_CONCURRENCY, connectTimeoutMs: 1000 });
  let started = 0;
  await new Promise<void>((resolve) => {
    let finished = 0;
    const next = (): void => {
      if (started >= WARM_UP_REQUESTS) return;
      started += 1;
      transport.send({ origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET', headers: [], body: undefined, timeoutMs: 1000, readBody: false }, () => {
        finished += 1;
        if (finished === WARM_UP_REQUESTS) resolve();
        else next();
      });
    };
    for (let lane = 0; lane < WARM_UP_CONCURRENCY; lane += 1) next();
  });
  await transport.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
