import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readShadowTag, shadowMiddleware, ShadowError, type ShadowSwitch } from '../shadow/index.js';
import type { DemoMetrics } from './demo-metrics.js';
import { delay, type FaultHooks, type FaultTarget } from './fault-hooks.js';
import { BadRequest, PayloadTooLarge, send, sendJson } from './http-json.js';
import { StoreUnavailable } from './demo-store.js';

export interface Reply {
  status: number;
  /** Sent as JSON, unless `text` is given. */
  json?: unknown;
  text?: string | Buffer;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Exact path, or a prefix ending in `/` that takes the rest as a parameter. */
  path: string;
  /** The route's label in metrics. */
  name: string;
  /** Operator routes (admin, health, metrics) are not business traffic: no shadow routing, no faults. */
  control?: boolean;
  handle(request: IncomingMessage, url: URL, parameter: string): Promise<Reply>;
}

export interface ServiceOptions {
  name: string;
  routes: readonly Route[];
  shadowRouting: ShadowSwitch;
  metrics: DemoMetrics;
  faults: FaultHooks;
  /** The fault hook this service obeys, if any. */
  faultTarget?: FaultTarget;
  host: string;
  port: number;
}

export interface RunningService {
  name: string;
  url: string;
  close(): Promise<void>;
}

/** One HTTP server of the platform: shadow middleware, fault hooks, routing, metrics, error answers. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { name, metrics, faults, faultTarget } = options;
  const middleware = shadowMiddleware({ routing: options.shadowRouting, service: name });

  const server = createServer((request, response) => {
    const started = performance.now();
    const traffic = readShadowTag(request.headers).kind === 'production' ? 'production' : 'shadow';
    const url = new URL(`http://demo.invalid${request.url ?? '/'}`);
    const match = findRoute(options.routes, request.method ?? 'GET', url.pathname);
    response.once('close', () => {
      metrics.record({
        service: name,
        route: match.route?.name ?? match.miss,
        method: request.method ?? 'GET',
        code: response.headersSent ? String(response.statusCode) : 'reset',
        traffic,
        seconds: (performance.now() - started) / 1000,
      });
    });
    // A down service answers nothing, its health check included.
    if (faultTarget !== undefined && faults.get(faultTarget).down) {
      request.socket.destroy();
      return;
    }
    if (match.route?.control === true) {
      void serve(request, response, url, match, false);
      return;
    }
    middleware(request, response, () => void serve(request, response, url, match, true));
  });

  async function serve(request: IncomingMessage, response: ServerResponse, url: URL, match: RouteMatch, faulty: boolean): Promise<void> {
    try {
      if (faulty && faultTarget !== undefined) {
        await delay(faults.get(faultTarget).latency_ms);
        if (faults.failsNow(faultTarget)) {
          sendJson(response, 500, { error: 'injected_fault', message: `${name} failed this request (injected fault)` });
          return;
        }
      }
      if (match.route === undefined) {
        const allowed: Record<string, string> = match.miss === 'method-not-allowed' ? { allow: match.allowed.join(', ') } : {};
        const status = match.miss === 'method-not-allowed' ? 405 : 404;
        sendJson(response, status, { error: match.miss.replace(/-/g, '_'), message: `${request.method} ${url.pathname} is not a route of ${name}` }, allowed);
        return;
      }
      const reply = await match.route.handle(request, url, match.parameter);
      if (reply.text !== undefined) send(response, reply.status, reply.text, reply.headers ?? {});
      else sendJson(response, reply.status, reply.json ?? {}, reply.headers);
    } catch (error) {
      const [status, body] = errorReply(name, error);
      sendJson(response, status, body);
    }
  }

  await listen(server, options.host, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? (address satisfies AddressInfo).port : options.port;
  return {
    name,
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close: () => closeServer(server),
  };
}

interface RouteMatch {
  route: Route | undefined;
  parameter: string;
  miss: 'not-found' | 'method-not-allowed';
  /** Methods the path takes, for the Allow header of a 405. */
  allowed: string[];
}

function findRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const prefix = route.path.endsWith('/');
    const hit = prefix ? path.startsWith(route.path) && path.length > route.path.length : path === route.path;
    if (!hit) continue;
    if (route.method === method) {
      const parameter = prefix ? decodeParameter(path.slice(route.path.length)) : '';
      if (parameter !== undefined) return { route, parameter, miss: 'not-found', allowed };
      return { route: undefined, parameter: '', miss: 'not-found', allowed };
    }
    allowed.push(route.method);
  }
  return { route: undefined, parameter: '', miss: allowed.length > 0 ? 'method-not-allowed' : 'not-found', allowed };
}

function decodeParameter(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function errorReply(service: string, error: unknown): [number, { error: string; message: string }] {
  if (error instanceof PayloadTooLarge) return [413, { error: 'payload_too_large', message: error.message }];
  if (error instanceof BadRequest) return [400, { error: 'bad_request', message: error.message }];
  if (error instanceof ShadowError) return [error.code === 'shadow_not_ready' ? 503 : 500, { error: error.code, message: error.message }];
  if (error instanceof StoreUnavailable) return [503, { error: 'store_unavailable', message: `${service}: ${error.message}` }];
  const message = error instanceof Error ? error.message : String(error);
  return [500, { error: 'internal', message: `${service}: ${message}` }];
}

/** Thrown when a port cannot be bound (in use, no permission). */
export class ListenFailed extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
  ) {
    super(`cannot listen on ${host}:${port}: ${reason}`);
  }

  get portInUse(): boolean {
    return this.reason === PORT_IN_USE;
  }
}

const PORT_IN_USE = 'the port is in use';

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => reject(new ListenFailed(host, port, error.code === 'EADDRINUSE' ? PORT_IN_USE : error.message));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
