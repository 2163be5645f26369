import type { ServerResponse } from 'node:http';

/** Why a request was turned away: the `error` field of the answer and the key in `stats().rejected`. */
export type RejectReason =
  | 'not-found'
  | 'method-not-allowed'
  | 'unauthorized'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'malformed-json'
  | 'invalid-payload'
  | 'handler-failed'
  | 'aborted'
  | 'bad-request'
  | 'timeout';

export interface Rejection {
  status: number;
  reason: RejectReason;
  message: string;
  headers?: Record<string, string>;
}

export function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export function writeRejection(response: ServerResponse, rejection: Rejection): void {
  writeJson(response, rejection.status, { error: rejection.reason, message: rejection.message }, rejection.headers);
}
