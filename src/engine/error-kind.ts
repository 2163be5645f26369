import type { ErrorKind } from './request-outcome.js';

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'ABORT_ERR']);
const RESETS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code: unknown = Reflect.get(error, 'code');
  if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
  // undici wraps a socket failure; the system code (ECONNRESET, …) is on its cause.
  const cause: unknown = Reflect.get(error, 'cause');
  return errorCode(cause) ?? (typeof code === 'string' ? code : undefined);
}

/** The kind of a request that got no response: timed out, refused (nothing listening), reset, or other. */
export function transportErrorKind(error: unknown): ErrorKind {
  const code = errorCode(error);
  if (code === undefined) return 'other';
  if (TIMEOUTS.has(code)) return 'timeout';
  if (REFUSED.has(code)) return 'refused';
  if (RESETS.has(code)) return 'reset';
  return 'other';
}

/** A short text for the first error of each kind, for people reading the summary. */
export function describeError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined ? message : `${code}: ${message}`;
}
