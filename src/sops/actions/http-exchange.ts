import { request } from 'undici';
import { stepMethodsGiven } from '../../scenarios/step-request.js';
import { formatElapsed } from './elapsed-text.js';
import type { HttpCall } from './sop-action.js';

// Enough for any `contains` an SOP checks; a huge download would only slow the step down.
const BODY_LIMIT_BYTES = 1 << 20;
// Nothing left the machine: no connection was made, so the call cannot have changed anything.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
}

export type HttpExchange =
  | { answered: true; request: string; response: HttpResponse }
  | {
      answered: false;
      request: string;
      reason: string;
      /** False only when nothing reached the server (refused, unresolvable): then nothing can need undoing. */
      sent: boolean;
      interrupted: boolean;
    };

/** `PUT /admin/flags/x`: how summaries name a call (the path or URL as the SOP wrote it). */
function describeRequest(call: HttpCall): string {
  const method = stepMethodsGiven(call)[0];
  return method === undefined ? 'HTTP call without a method' : `${method} ${call[method] ?? ''}`;
}

/** One request: the path joined to `target`, redirects not followed (a 3xx is an answer an SOP may expect), a fresh connection. */
export async function exchangeHttp(call: HttpCall, target: string, signal: AbortSignal, timeoutMs: number): Promise<HttpExchange> {
  const described = describeRequest(call);
  const failed = (reason: string, sent: boolean, interrupted = false): HttpExchange => ({ answered: false, request: described, reason, sent, interrupted });
  const methods = stepMethodsGiven(call);
  const method = methods[0];
  if (method === undefined || methods.length > 1) return failed('give exactly one of GET, POST, PUT, PATCH, DELETE, HEAD', false);
  if (signal.aborted) return failed('interrupted before it was sent', false, true);
  const url = joinUrl(target, call[method] ?? '');
  if (url === undefined) return failed(`cannot make a URL of ${JSON.stringify(call[method])} and target ${JSON.stringify(target)}`, false);

  const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)));
  try {
    const response = await request(url, {
      method,
      headers: requestHeaders(call),
      body: call.json !== undefined ? JSON.stringify(call.json) : call.body,
      signal: AbortSignal.any([signal, timeout]),
      // A keep-alive socket poisoned by the fault under test (a stalled `timeout` toxic) must not carry the next call.
      reset: true,
    });
    const body = await readCapped(response.body);
    return { answered: true, request: described, response: { status: response.statusCode, headers: flatHeaders(response.headers), body } };
  } catch (error) {
    if (signal.aborted) return failed('interrupted', true, true);
    if (timeout.aborted) return failed(`no answer within ${formatElapsed(timeoutMs)}`, true);
    const code = errorCode(error);
    return failed(describeError(error, code), code === undefined || !NOT_SENT_CODES.has(code));
  }
}

function joinUrl(target: string, path: string): string | undefined {
  const text = /^https?:\/\//i.test(path) ? path : `${target.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return URL.canParse(text) ? text : undefined;
}

function requestHeaders(call: HttpCall): Record<string, string> {
  const headers: Record<string, string> = { ...call.headers };
  const given = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  if (!given.has('user-agent')) headers['user-agent'] = 'live-assure';
  if (call.json !== undefined && !given.has('content-type')) headers['content-type'] = 'application/json';
  return headers;
}

async function readCapped(body: AsyncIterable<unknown> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(bytes);
    size += bytes.length;
    if (size >= BODY_LIMIT_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, BODY_LIMIT_BYTES).toString('utf8');
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code: unknown = Reflect.get(error, 'code');
  // undici wraps socket failures: the system code (ECONNREFUSED, …) is on the cause.
  const inner = errorCode(Reflect.get(error, 'cause'));
  return inner ?? (typeof code === 'string' ? code : undefined);
}

function describeError(error: unknown, code: string | undefined): string {
  const cause: unknown = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return code === undefined || message.includes(code) ? message : `${code} ${message}`;
}
