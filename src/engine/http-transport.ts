import type { HttpMethod } from '../scenarios/http-methods.js';
import { OriginPool, type PendingRequest } from './http1-origin-pool.js';
import { http1RequestBytes } from './http1-request-bytes.js';

export interface HttpRequest {
  origin: string;
  path: string;
  method: HttpMethod;
  /** Flat name/value list. */
  headers: string[];
  body: string | undefined;
  timeoutMs: number;
  /** Keep the body (for checks and captures); otherwise it is read and dropped. */
  readBody: boolean;
  /** Header names (lower case) to read from the response into `HttpResponse.headers`; others are never read. */
  readHeaders?: readonly string[];
  /** The same object is sent again and again (nothing in it varies): its bytes are built once. */
  fixed?: boolean;
}

export interface HttpResponse {
  status: number;
  body: string | undefined;
  /** The headers the request named in `readHeaders` that the response had; a repeated one's values joined with ", ". */
  headers?: Record<string, string>;
}

export type ResponseCallback = (error: Error | undefined, response: HttpResponse | undefined) => void;

export interface Transport {
  send(request: HttpRequest, done: ResponseCallback): void;
  /** Requests given to `send` and not yet done. */
  readonly inFlight: number;
  /** Requests waiting for a free connection right now. */
  readonly waiting: number;
  /** The most requests waiting for a free connection at once since the last call (all connections busy). */
  takeMaxQueued(): number;
  close(): Promise<void>;
}

export interface PoolLimits {
  /** Connections per origin. */
  connections: number;
  connectTimeoutMs: number;
}

/** How often deadlines are checked: a request times out at most this late. */
const SWEEP_MS = 10;
const IDLE_TIMEOUT_MS = 30_000;

/**
 * HTTP/1.1 over `node:net` and `node:tls`, a pool of connections per origin. It does only what a
 * load test needs: one pre-built buffer written per request, responses parsed for status, framing
 * and (when a check, capture or response sample wants them) the body and named headers. A general
 * client (undici) spent about a third more CPU per request on Request objects and per-header
 * parser callbacks the engine never reads.
 * The timeout covers the whole request, the wait for a free connection included.
 */
export function createHttpTransport(limits: PoolLimits): Transport {
  const pools = new Map<string, OriginPool>();
  const fixedBytes = new WeakMap<HttpRequest, Buffer>();
  // Read for every arrival (the generator's drop rule): one counter, not a walk over the pools.
  const queue = { waiting: 0 };
  let inFlight = 0;
  let maxQueued = 0;
  let sweeper: NodeJS.Timeout | undefined;

  const finished = (pending: PendingRequest, error: Error | undefined, status: number, body: string | undefined, headers?: Record<string, string>): void => {
    inFlight -= 1;
    if (inFlight === 0 && sweeper !== undefined) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
    if (error !== undefined) pending.done(error, undefined);
    else pending.done(undefined, headers === undefined ? { status, body } : { status, body, headers });
  };
  const sweep = (): void => {
    const now = performance.now();
    for (const pool of pools.values()) pool.sweep(now);
  };
  const poolFor = (origin: string): OriginPool => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new OriginPool({ origin, connections: limits.connections, connectTimeoutMs: limits.connectTimeoutMs, idleTimeoutMs: IDLE_TIMEOUT_MS, queue, finished });
      pools.set(origin, pool);
    }
    return pool;
  };
  const bytesOf = (request: HttpRequest, pool: OriginPool): Buffer => {
    if (request.fixed !== true) return http1RequestBytes(request, pool.hostHeader);
    let bytes = fixedBytes.get(request);
    if (bytes === undefined) {
      bytes = http1RequestBytes(request, pool.hostHeader);
      fixedBytes.set(request, bytes);
    }
    return bytes;
  };

  return {
    send(request, done) {
      let pool: OriginPool;
      let bytes: Buffer;
      try {
        pool = poolFor(request.origin);
        bytes = bytesOf(request, pool);
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)), undefined);
        return;
      }
      inFlight += 1;
      sweeper ??= setInterval(sweep, SWEEP_MS).unref();
      pool.send({ request, bytes, done, deadline: performance.now() + request.timeoutMs, retried: false });
      if (queue.waiting > maxQueued) maxQueued = queue.waiting;
    },
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return queue.waiting;
    },
    takeMaxQueued() {
      const most = maxQueued;
      maxQueued = 0;
      return most;
    },
    async close() {
      if (sweeper !== undefined) clearInterval(sweeper);
      sweeper = undefined;
      for (const pool of pools.values()) pool.close();
      pools.clear();
    },
  };
}
