import { ProtocolError, readHeaderValues, readResponseHead, type ResponseHead } from './http1-response-head.js';

const HEAD = 0;
const LENGTH = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_DATA_END = 4;
const TRAILERS = 5;
const UNTIL_CLOSE = 6;
const DONE = 7;

const LF = 10;
/** A response head larger than this is refused, like Node's own parser does (16 KiB). */
const MAX_HEAD_BYTES = 16 * 1024;

/**
 * An HTTP/1.1 response parser for one connection, one response at a time: the status, the body
 * framing (content-length, chunked, or until the connection closes) and whether the connection
 * can be reused. Header values other than those are never turned into strings: the load path only
 * needs the status and, for checks and captures, the body. A request that names headers to read
 * (a sampled step) gets those, from a second pass over its head.
 */
export class Http1ResponseParser {
  status = 0;
  keepAlive = true;
  /** The server's `Keep-Alive: timeout=…` hint, ms, if it gave one. */
  keepAliveHintMs: number | undefined;
  /** Bytes of this response seen so far (0: the server has not started answering). */
  received = 0;
  /** The headers the request asked for, once its head is read (undefined when it asked for none). */
  headers: Record<string, string> | undefined;
  #state = DONE;
  #keepBody = false;
  #noBody = false;
  #readHeaders: readonly string[] | undefined;
  #head: Buffer | undefined;
  #remaining = 0;
  #line = '';
  #body: Buffer[] = [];
  readonly #parsedHead: ResponseHead = { end: 0, status: 0, http10: false, contentLength: -1, chunked: false, connectionClose: false, connectionKeepAlive: false, keepAliveMs: undefined };

  /** Gets ready for the response to a request; `noBody` for HEAD requests; `readHeaders` lower case. */
  begin(keepBody: boolean, noBody: boolean, readHeaders?: readonly string[]): void {
    this.status = 0;
    this.headers = undefined;
    this.#readHeaders = readHeaders;
    this.keepAlive = true;
    this.keepAliveHintMs = undefined;
    this.received = 0;
    this.#state = HEAD;
    this.#keepBody = keepBody;
    this.#noBody = noBody;
    this.#head = undefined;
    this.#line = '';
    if (this.#body.length > 0) this.#body = [];
  }

  /**
   * Feeds bytes from the socket; true once the response is complete. Throws `ProtocolError`. The
   * chunk may be a reused read buffer: whatever is kept past the call is copied.
   */
  feed(chunk: Buffer): boolean {
    this.received += chunk.length;
    let data = chunk;
    let at = 0;
    while (at < data.length) {
      switch (this.#state) {
        case HEAD: {
          if (this.#head !== undefined) {
            data = Buffer.concat([this.#head, data.subarray(at)]);
            at = 0;
            this.#head = undefined;
          }
          if (!readResponseHead(data, at, this.#parsedHead)) {
            if (data.length - at > MAX_HEAD_BYTES) throw new ProtocolError('response head larger than 16 KiB');
            this.#head = Buffer.from(data.subarray(at));
            return false;
          }
          // After a 1xx head, the final one overwrites what it gave.
          if (this.#readHeaders !== undefined) this.headers = readHeaderValues(data, at, this.#parsedHead.end, this.#readHeaders);
          at = this.#parsedHead.end;
          this.#headRead(this.#parsedHead);
          break;
        }
        case LENGTH:
          at = this.#takeBody(data, at, DONE);
          break;
        case CHUNK_SIZE: {
          const taken = this.#takeLine(data, at);
          if (taken === undefined) {
            at = data.length;
            break;
          }
          const { line } = taken;
          at = taken.next;
          const sizeText = line.split(';', 1)[0]?.trim() ?? '';
          const size = /^[0-9a-fA-F]{1,12}$/.test(sizeText) ? Number.parseInt(sizeText, 16) : Number.NaN;
          if (Number.isNaN(size)) throw new ProtocolError(`bad chunk size ${JSON.stringify(line.slice(0, 20))}`);
          if (size === 0) this.#state = TRAILERS;
          else {
            this.#remaining = size;
            this.#state = CHUNK_DATA;
          }
          break;
        }
        case CHUNK_DATA:
          at = this.#takeBody(data, at, CHUNK_DATA_END);
          break;
        case CHUNK_DATA_END: {
          const newline = data.indexOf(LF, at);
          if (newline === -1) at = data.length;
          else {
            at = newline + 1;
            this.#state = CHUNK_SIZE;
          }
          break;
        }
        case TRAILERS: {
          const taken = this.#takeLine(data, at);
          at = taken?.next ?? data.length;
          if (taken !== undefined && (taken.line === '' || taken.line === '\r')) this.#state = DONE;
          break;
        }
        case UNTIL_CLOSE: {
          if (this.#keepBody) this.#body.push(Buffer.from(data.subarray(at)));
          at = data.length;
          break;
        }
        default:
          // Bytes after a complete response, when only one request was sent: the connection is out of step.
          this.keepAlive = false;
          return true;
      }
      if (this.#state === DONE) {
        if (at < data.length) this.keepAlive = false;
        return true;
      }
    }
    return false;
  }

  /** Takes what is left of a body (or chunk) from `at`, then moves on to `then`; returns the offset after it. */
  #takeBody(data: Buffer, at: number, then: number): number {
    const take = Math.min(this.#remaining, data.length - at);
    if (this.#keepBody) this.#body.push(Buffer.from(data.subarray(at, at + take)));
    this.#remaining -= take;
    if (this.#remaining === 0) this.#state = then;
    return at + take;
  }

  /** The line at `at` (without its LF), gathered across chunks; undefined while it is not complete. */
  #takeLine(data: Buffer, at: number): { line: string; next: number } | undefined {
    const newline = data.indexOf(LF, at);
    if (newline === -1) {
      this.#line += data.toString('latin1', at);
      return undefined;
    }
    const line = this.#line + data.toString('latin1', at, newline);
    this.#line = '';
    return { line, next: newline + 1 };
  }

  /** The connection closed: true when that ends the response (a body read until close). */
  end(): boolean {
    if (this.#state !== UNTIL_CLOSE) return false;
    this.#state = DONE;
    return true;
  }

  /** The body, if it was kept. */
  body(): string | undefined {
    if (!this.#keepBody) return undefined;
    const parts = this.#body;
    this.#body = [];
    const only = parts[0];
    if (parts.length === 1 && only !== undefined) return only.toString('utf8');
    return Buffer.concat(parts).toString('utf8');
  }

  #headRead(head: ResponseHead): void {
    const status = head.status;
    if (status >= 100 && status < 200 && status !== 101) return; // 100 Continue and friends: the real response follows.
    this.status = status;
    // HTTP/1.1 keeps the connection unless told to close it; HTTP/1.0 only when asked to keep it.
    this.keepAlive = head.connectionKeepAlive || (!head.http10 && !head.connectionClose);
    this.keepAliveHintMs = head.keepAliveMs;
    if (this.#noBody || status === 204 || status === 304 || status === 101) {
      this.#state = DONE;
      return;
    }
    if (head.chunked) {
      this.#state = CHUNK_SIZE;
      return;
    }
    if (head.contentLength >= 0) {
      this.#remaining = head.contentLength;
      this.#state = head.contentLength === 0 ? DONE : LENGTH;
      return;
    }
    // No framing: the body runs until the server closes the connection.
    this.keepAlive = false;
    this.#state = UNTIL_CLOSE;
  }
}
