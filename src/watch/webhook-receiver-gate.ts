import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Rejection } from './webhook-receiver-reply.js';

/** The two things the receiver serves; `/` is an alias of `/webhook` so a bare base URL in Alertmanager's config works too. */
export type Endpoint = 'webhook' | 'health';

const allowedMethods: Record<Endpoint, readonly string[]> = { webhook: ['POST'], health: ['GET', 'HEAD'] };

export function routeRequest(method: string, target: string): { endpoint: Endpoint } | { rejection: Rejection } {
  // The query string plays no part; an absolute-form or `//host` target is not a path we serve.
  const path = target.split('?', 1)[0] ?? '';
  const endpoint: Endpoint | undefined = path === '/webhook' || path === '/' ? 'webhook' : path === '/healthz' ? 'health' : undefined;
  if (endpoint === undefined) return { rejection: { status: 404, reason: 'not-found', message: `no such path: ${path}; POST alerts to /webhook` } };
  const allowed = allowedMethods[endpoint];
  if (!allowed.includes(method)) {
    return { rejection: { status: 405, reason: 'method-not-allowed', message: `${method} is not allowed on ${path}`, headers: { allow: allowed.join(', ') } } };
  }
  return { endpoint };
}

/** Hashing both sides first gives equal lengths, so neither the token's bytes nor its length leak through timing. */
export function createBearerCheck(token: string): (authorization: string | undefined) => Rejection | undefined {
  const expected = digest(token);
  return (authorization) => {
    const presented = readBearer(authorization);
    if (presented === undefined) {
      return { status: 401, reason: 'unauthorized', message: 'a Bearer token is required', headers: { 'www-authenticate': 'Bearer realm="live-assure"' } };
    }
    if (!timingSafeEqual(digest(presented), expected)) {
      return {
        status: 401,
        reason: 'unauthorized',
        message: 'the Bearer token is not the one configured',
        headers: { 'www-authenticate': 'Bearer realm="live-assure", error="invalid_token"' },
      };
    }
    return undefined;
  };
}

function readBearer(authorization: string | undefined): string | undefined {
  const match = /^bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1];
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** `application/json` (what Alertmanager sends) or any `+json` type, parameters such as charset allowed. */
export function checkJsonContentType(headers: IncomingHttpHeaders): Rejection | undefined {
  const mediaType = (headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType)) return undefined;
  const shown = mediaType === '' ? 'no content type' : mediaType;
  return { status: 415, reason: 'unsupported-media-type', message: `expected application/json, got ${shown}`, headers: { accept: 'application/json' } };
}
