import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

export interface HttpRequest {
  origin: string;
  path: string;
  method: Dispatcher.HttpMethod;
  /** Flat name/value list. */
  headers: string[];
  body: string | undefined;
  timeoutMs: number;
  /** Keep the body (for checks and captures); otherwise it is read and dropped. */
  readBody: boolean;
}

export interface HttpResponse {
  status: number;
  body: string | undefined;
}

export type ResponseCallback = (error: Error | undefined, response: HttpResponse | undefined) => void;

export interface Transport {
  send(request: HttpRequest, done: ResponseCallback): void;
  /** Requests given to `send` and not yet done. */
  readonly inFlight: number;
  /** The most requests waiting for a free connection at once since the last call (all connections busy). */
  takeMaxQueued(): number;
  close(): Promise<void>;
}

export interface PoolLimits {
  /** Connections per origin. */
  connections: number;
  connectTimeoutMs: number;
}

/**
 * undici pools, one per origin, driven through `dispatch` with a callback handler: no stream or
 * promise per request, which is most of the generator's CPU budget per request.
 */
export function createHttpTransport(limits: PoolLimits): Transport {
  const pools = new Map<string, Pool>();
  let inFlight = 0;
  let maxQueued = 0;
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: limits.connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        connect: { timeout: limits.connectTimeoutMs },
      });
      pools.set(origin, pool);
    }
    return pool;
  };

  return {
    send(request, done) {
      inFlight += 1;
      // With one origin (the usual case) this is exact; with several it is a lower bound.
      const waiting = inFlight - limits.connections * Math.max(1, pools.size);
      if (waiting > maxQueued) maxQueued = waiting;
      let status = 0;
      let chunks: Buffer[] | undefined;
      let finished = false;
      const finish = (error: Error | undefined, response: HttpResponse | undefined): void => {
        if (finished) return;
        finished = true;
        inFlight -= 1;
        done(error, response);
      };
      // The deprecated callback form of the handler: undici passes it through unwrapped, and raw
      // headers are never parsed into an object we would not read.
      poolFor(request.origin).dispatch(
        {
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        },
        {
          onConnect: () => undefined,
          onHeaders: (statusCode) => {
            status = statusCode;
            return true;
          },
          onData: (chunk) => {
            if (request.readBody) (chunks ??= []).push(chunk);
            return true;
          },
          onComplete: () => finish(undefined, { status, body: chunks === undefined ? (request.readBody ? '' : undefined) : Buffer.concat(chunks).toString('utf8') }),
          onError: (error) => finish(error, undefined),
        },
      );
    },
    get inFlight() {
      return inFlight;
    },
    takeMaxQueued() {
      const most = maxQueued;
      maxQueued = 0;
      return most;
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.destroy()));
    },
  };
}
