import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readVersion } from '../version.js';
import { parseJsonBody } from './api-bodies.js';
import { handlers } from './api-handlers.js';
import { ApiError, errorReply, readBody, writeReply, type Reply } from './api-http.js';
import { matchRoute } from './api-routes.js';
import { FaultProxyError, type FaultProxySet } from './proxy-model.js';
import { listenOn } from '../server-listen.js';

export interface ToxiproxyApi {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

export interface ToxiproxyApiOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Toxiproxy's `timeoutMiddleware`: a handler still running after this answers 503 (default 25 s). */
  handlerTimeoutMs?: number;
  /** What `GET /version` reports (default: live-assure's version). */
  version?: string;
}

/**
 * Serves Toxiproxy's REST API over `proxies`, so Toxiproxy's clients (toxiproxy-cli, toxiproxy-node-client,
 * the Go client, testcontainers) drive live-assure's fault proxies as they would a `toxiproxy-server`.
 */
export async function startToxiproxyApi(proxies: FaultProxySet, options: ToxiproxyApiOptions): Promise<ToxiproxyApi> {
  const version = options.version ?? readVersion();
  const timeoutMs = options.handlerTimeoutMs ?? 25_000;
  const server = createServer((request, response) => {
    response.setHeader('x-toxiproxy-request-id', randomBytes(10).toString('hex'));
    answer(request, response, { proxies, version, timeoutMs }).catch(() => response.destroy());
  });
  await listenOn(server, options.host, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface AnswerDeps {
  proxies: FaultProxySet;
  version: string;
  timeoutMs: number;
}

async function answer(request: IncomingMessage, response: ServerResponse, deps: AnswerDeps): Promise<void> {
  // Toxiproxy's CSRF guard: a browser page must not be able to reconfigure proxies on localhost.
  if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    writeReply(response, { status: 403, text: { body: 'User agent not allowed\n', contentType: 'text/plain; charset=utf-8' } });
    return;
  }
  const pathname = new URL(request.url ?? '/', 'http://toxiproxy').pathname;
  const route = matchRoute(request.method ?? 'GET', pathname);
  if (route.kind === 'not-found') {
    writeReply(response, { status: 404, text: { body: '404 page not found\n', contentType: 'text/plain; charset=utf-8' } });
    return;
  }
  if (route.kind === 'method-not-allowed') {
    writeReply(response, { status: 405 });
    return;
  }
  const handler = handlers[route.name];
  const context = { proxies: deps.proxies, version: deps.version, proxy: route.proxy, toxic: route.toxic, body: async () => parseJsonBody(await readBody(request)) };
  // The proxy set takes its changes one at a time (Toxiproxy's collection lock), so handlers need no queue of their own.
  const work = handler(context);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Reply>((resolve) => {
    timer = setTimeout(() => resolve(errorReply(503, `handler timed out after ${deps.timeoutMs} ms`)), deps.timeoutMs);
  });
  const reply = await Promise.race([work.catch(replyForError), timedOut]);
  clearTimeout(timer);
  if (reply.status === 413) response.setHeader('connection', 'close');
  writeReply(response, reply);
}

function replyForError(error: unknown): Reply {
  if (error instanceof ApiError || error instanceof FaultProxyError) return errorReply(error.status, error.message);
  // Toxiproxy answers errors without a status (a listen that fails, say) with 500 and the error's text.
  return errorReply(500, error instanceof Error ? error.message : String(error));
}
