import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error the API answers with Toxiproxy's body, `{"error": message, "status": status}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Where in the request body the problem is (`[1, "upstream"]`), so a file loaded at start can be pointed at. */
    readonly path: ReadonlyArray<string | number> = [],
    /** The message without the place (`expected a string, got 5`), for a reader who is shown the place apart. */
    readonly reason: string = message,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Nothing Toxiproxy is sent comes near this (a populate of a thousand proxies is ~100 KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, `request body too large: over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What a handler answers; the server writes it. */
export interface Reply {
  status: number;
  /** Serialised as JSON; absent for 204. */
  json?: unknown;
  /** A body sent as is, with its content type. */
  text?: { body: string; contentType: string };
}

export function writeReply(response: ServerResponse, reply: Reply): void {
  if (response.headersSent) return;
  if (reply.text !== undefined) {
    response.writeHead(reply.status, { 'content-type': reply.text.contentType, 'content-length': Buffer.byteLength(reply.text.body) });
    response.end(reply.text.body);
    return;
  }
  if (reply.json === undefined) {
    response.writeHead(reply.status);
    response.end();
    return;
  }
  const body = JSON.stringify(reply.json);
  response.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** Toxiproxy's error reply: the JSON object plus the newline Go's `http.Error` appends. */
export function errorReply(status: number, message: string): Reply {
  return { status, text: { body: `${JSON.stringify({ error: message, status })}\n`, contentType: 'application/json' } };
}
