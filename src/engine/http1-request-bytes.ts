import type { HttpRequest } from './http-transport.js';

/** A request that cannot be written as it is (a line break in a header, a space in the path). */
class InvalidRequestError extends Error {
  readonly code = 'ERR_INVALID_REQUEST';
}

const BREAKS = /[\r\n]/;
const PATH_BREAKS = /[\s]/;

/** The request line, headers and body of a request, as the bytes written to the socket. */
export function http1RequestBytes(request: HttpRequest, hostHeader: string): Buffer {
  if (PATH_BREAKS.test(request.path)) throw new InvalidRequestError(`white space in the path ${JSON.stringify(request.path)}`);
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  let hasHost = false;
  const headers = request.headers;
  for (let index = 0; index + 1 < headers.length; index += 2) {
    const name = headers[index] ?? '';
    const lower = name.toLowerCase();
    // The length is always the body's own: a stale header would desynchronise the connection.
    if (lower === 'content-length' || lower === 'transfer-encoding') continue;
    if (lower === 'host') hasHost = true;
    const value = headers[index + 1] ?? '';
    // A value captured from a response could carry a line break; written as is it would smuggle a header.
    if (BREAKS.test(name) || BREAKS.test(value)) throw new InvalidRequestError(`line break in header ${JSON.stringify(name)}`);
    head += `${name}: ${value}\r\n`;
  }
  if (!hasHost) head += `host: ${hostHeader}\r\n`;
  const body = request.body;
  if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  else if (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') head += 'content-length: 0\r\n\r\n';
  else head += '\r\n';
  return Buffer.from(head, 'utf8');
}
