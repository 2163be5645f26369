import type { IncomingMessage, ServerResponse } from 'node:http';
import { bindEmitterToContext, currentShadowTag, runAsProduction, runInShadow } from './shadow-context.js';
import { shadowNotReady } from './shadow-errors.js';
import type { ShadowSwitch } from './shadow-switch.js';
import { DEFAULT_SHADOW_HEADER, readShadowTag } from './shadow-tag.js';

export interface ShadowMiddlewareOptions {
  /** The switch that says whether this service routes shadow traffic; off means shadow requests get 503. */
  routing: ShadowSwitch;
  /** The tag header to read (default `x-live-assure-shadow`); baggage is always read too. */
  header?: string;
  /** Names this service in refusals, so the caller knows which hop is not ready. */
  service?: string;
  /** Echo the run id in the response's tag header, so a probe can see the hop honoured the tag (default true). */
  echo?: boolean;
}

export type NextFunction = (error?: Error) => void;
export type ConnectMiddleware = (request: IncomingMessage, response: ServerResponse, next: NextFunction) => void;

/**
 * Connect-style middleware (express `app.use`, fastify `onRequest` through `request.raw`,
 * or `withShadowContext` for a bare node:http handler) that opens the shadow context for the
 * rest of the request, or refuses the request when it cannot be honoured.
 */
export function shadowMiddleware(options: ShadowMiddlewareOptions): ConnectMiddleware {
  const header = (options.header ?? DEFAULT_SHADOW_HEADER).toLowerCase();
  const service = options.service ?? 'this service';
  const echo = options.echo ?? true;
  return (request, response, next) => {
    const reading = readShadowTag(request.headers, header);
    if (reading.kind === 'production') {
      // Usually the server's context is production already and nothing needs doing (this is the
      // hot path). If the server was started inside a shadow context, production requests must
      // leave it — body listeners included, which run in the server's context.
      if (currentShadowTag() === undefined) {
        next();
        return;
      }
      runAsProduction(() => {
        bindEmitterToContext(request);
        bindEmitterToContext(response);
        next();
      });
      return;
    }
    if (reading.kind === 'invalid') {
      refuse(response, 400, 'shadow_tag_invalid', `${service} refused a request with an unusable shadow tag: ${reading.reason}`);
      return;
    }
    if (!options.routing.enabled) {
      refuse(response, 503, 'shadow_not_ready', shadowNotReady(service, reading.tag.runId).message);
      return;
    }
    if (echo) response.setHeader(header, reading.tag.runId);
    runInShadow(reading.tag, () => {
      bindEmitterToContext(request);
      bindEmitterToContext(response);
      next();
    });
  };
}

export interface WithShadowContextOptions extends ShadowMiddlewareOptions {
  /** Told of an error the handler threw or rejected with (the client gets a 500 either way). */
  onError?: (error: unknown) => void;
}

/**
 * Wraps a bare `http.createServer` handler with the shadow middleware. An async handler's
 * rejection answers 500 instead of crashing the process as an unhandled rejection.
 */
export function withShadowContext(
  options: WithShadowContextOptions,
  handler: (request: IncomingMessage, response: ServerResponse) => unknown,
): (request: IncomingMessage, response: ServerResponse) => void {
  const middleware = shadowMiddleware(options);
  const fail = (response: ServerResponse, error: unknown): void => {
    options.onError?.(error);
    if (response.headersSent) response.destroy();
    else refuse(response, 500, 'internal', 'the request failed');
  };
  return (request, response) =>
    middleware(request, response, () => {
      try {
        const result = handler(request, response);
        if (result instanceof Promise) result.catch((error: unknown) => fail(response, error));
      } catch (error) {
        fail(response, error);
      }
    });
}

function refuse(response: ServerResponse, status: number, error: string, message: string): void {
  const body = JSON.stringify({ error, message });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
