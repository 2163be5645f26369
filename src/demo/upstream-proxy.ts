import type { IncomingMessage } from 'node:http';
import { errors, request, type Dispatcher } from 'undici';
import { readBody } from './http-json.js';
import type { Reply } from './service-server.js';

/** Response headers a service sets that the gateway passes on to the client. */
const PASSED_ON = ['content-type', 'x-degraded', 'x-hot-room', 'retry-after'];
const UPSTREAM_TIMEOUT_MS = 5000;

/**
 * Forwards a client request to a service over real HTTP. The dispatcher carries the shadow
 * tag across the hop (it is composed with the shadow library's propagation interceptor).
 */
export async function forward(dispatcher: Dispatcher, service: { name: string; url: string }, incoming: IncomingMessage, url: URL): Promise<Reply> {
  const method = incoming.method === 'POST' ? 'POST' : 'GET';
  const body = method === 'POST' ? await readBody(incoming) : undefined;
  try {
    const response = await request(`${service.url}${url.pathname}${url.search}`, {
      method,
      dispatcher,
      headers: { 'content-type': incoming.headers['content-type'] ?? 'application/json' },
      ...(body === undefined ? {} : { body }),
      headersTimeout: UPSTREAM_TIMEOUT_MS,
      bodyTimeout: UPSTREAM_TIMEOUT_MS,
    });
    // Text, not a Buffer: the gateway then writes headers and body in one chunk (every body here is JSON).
    const text = await response.body.text();
    const headers: Record<string, string> = {};
    for (const name of PASSED_ON) {
      const value = response.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return { status: response.statusCode, text, headers };
  } catch (error) {
    if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
      return { status: 504, json: { error: 'upstream_timeout', message: `${service.name} did not answer within ${UPSTREAM_TIMEOUT_MS} ms` } };
    }
    const reason = error instanceof Error ? (errorCode(error) ?? error.message) : String(error);
    return { status: 502, json: { error: 'upstream_unavailable', message: `${service.name} is unavailable: ${reason}` } };
  }
}

export function errorCode(error: Error): string | undefined {
  const code: unknown = 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : undefined;
}
