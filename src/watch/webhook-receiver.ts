import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readLimitedBody } from './webhook-receiver-body.js';
import { checkJsonContentType, createBearerCheck, routeRequest } from './webhook-receiver-gate.js';
import { writeJson, writeRejection, type RejectReason, type Rejection } from './webhook-receiver-reply.js';
import { listenOn } from '../server-listen.js';

export type PayloadVerdict = { ok: true } | { ok: false; error: string };

export interface WebhookReceiverOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** When set, every webhook request must carry `Authorization: Bearer <token>` (Alertmanager's `http_config.authorization`). */
  token?: string;
  /** Larger bodies are refused with 413 (default 1 MiB; Alertmanager's groups are far smaller unless `max_alerts` is 0 and a group is huge). */
  maxBodyBytes?: number;
  /** Time allowed for a client to send its request headers (default 10 s): what stops a slowloris. */
  headersTimeoutMs?: number;
  /** Time allowed for a whole request, body included (default 30 s). */
  requestTimeoutMs?: number;
  /** Called with each parsed JSON body; `ok: false` answers 400 with its error, and a throw answers 500 so Alertmanager retries. */
  onPayload(json: unknown): PayloadVerdict;
}

export interface WebhookReceiverStats {
  accepted: number;
  /** Counts by `RejectReason`; reasons never seen are absent. */
  rejected: Record<string, number>;
}

export interface WebhookReceiver {
  /** The webhook's own URL (`http://host:port/webhook`), ready for Alertmanager's `webhook_configs.url`. */
  url: string;
  close(): Promise<void>;
  stats(): WebhookReceiverStats;
}

const defaultMaxBodyBytes = 1024 * 1024;

/**
 * Receives Alertmanager webhooks on `POST /webhook` (and `POST /`), with `GET /healthz` for liveness probes.
 * Every refusal is a JSON `{error, message}`; only a failing `onPayload` answers 5xx, the one class Alertmanager retries.
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = Math.max(options.requestTimeoutMs ?? 30_000, headersTimeout);
  const checkBearer = options.token === undefined ? () => undefined : createBearerCheck(options.token);
  let accepted = 0;
  const rejected: Record<string, number> = {};
  const reject = (response: ServerResponse, rejection: Rejection): void => {
    rejected[rejection.reason] = (rejected[rejection.reason] ?? 0) + 1;
    writeRejection(response, rejection);
  };

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const route = routeRequest(request.method ?? 'GET', request.url ?? '/');
    if ('rejection' in route) return reject(response, route.rejection);
    if (route.endpoint === 'health') return writeJson(response, 200, { status: 'ok' });
    const refusal = checkBearer(request.headers.authorization) ?? checkJsonContentType(request.headers);
    if (refusal !== undefined) return reject(response, refusal);

    const read = await readLimitedBody(request, maxBodyBytes);
    if (read.kind === 'aborted') {
      rejected.aborted = (rejected.aborted ?? 0) + 1;
      return;
    }
    if (read.kind === 'too-large') {
      // Closing is what lets us stop reading: the rest of the body is never taken off the socket.
      return reject(response, {
        status: 413,
        reason: 'payload-too-large',
        message: `the body is over the limit of ${maxBodyBytes} bytes`,
        headers: { connection: 'close' },
      });
    }
    const parsed = parseJson(read.body);
    if (!parsed.ok) return reject(response, { status: 400, reason: 'malformed-json', message: parsed.message });
    let verdict: PayloadVerdict;
    try {
      verdict = options.onPayload(parsed.json);
    } catch (error) {
      return reject(response, { status: 500, reason: 'handler-failed', message: error instanceof Error ? error.message : String(error) });
    }
    if (!verdict.ok) return reject(response, { status: 400, reason: 'invalid-payload', message: verdict.error });
    accepted += 1;
    writeJson(response, 200, { status: 'ok' });
  }

  const server = createServer(
    // Node checks the two timeouts only this often, so it must be short for them to mean anything.
    { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeout / 2)) },
    (request, response) => {
      serve(request, response).catch(() => response.destroy());
    },
  );
  // A malformed request or a timed-out one: answer if the socket still can, and never let it reach `error`.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const failure = describeClientError(error.code);
    if (failure === undefined) {
      socket.destroy();
      return;
    }
    rejected[failure.reason] = (rejected[failure.reason] ?? 0) + 1;
    if (socket.writable) socket.end(`HTTP/1.1 ${failure.status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  await listenOn(server, options.host, options.port);

  return {
    url: `${baseUrl(server, options)}/webhook`,
    stats: () => ({ accepted, rejected: { ...rejected } }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `undefined` for a client that simply went away: an unfinished request is counted as aborted where it was being read. */
function describeClientError(code: string | undefined): { reason: RejectReason; status: string } | undefined {
  if (code === 'ECONNRESET' || code === 'HPE_INVALID_EOF_STATE') return undefined;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { reason: 'timeout', status: '408 Request Timeout' };
  if (code === 'HPE_HEADER_OVERFLOW') return { reason: 'bad-request', status: '431 Request Header Fields Too Large' };
  return { reason: 'bad-request', status: '400 Bad Request' };
}

function parseJson(body: Buffer): { ok: true; json: unknown } | { ok: false; message: string } {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    return { ok: true, json };
  } catch (error) {
    return { ok: false, message: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function baseUrl(server: Server, options: WebhookReceiverOptions): string {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return `http://${host}:${port}`;
}
