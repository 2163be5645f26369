import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { HttpRequest, ResponseCallback } from './http-transport.js';
import { Http1ResponseParser } from './http1-response-parser.js';

/** A transport failure with a system-style code, which `transportErrorKind` classifies. */
class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A request given to the pool and not yet answered. */
export interface PendingRequest {
  request: HttpRequest;
  bytes: Buffer;
  done: ResponseCallback;
  /** `performance.now()` past which it times out, waiting for a connection included. */
  deadline: number;
  /** Sent again once already, after a reused connection closed under it. */
  retried: boolean;
}

export interface OriginPoolOptions {
  origin: string;
  connections: number;
  connectTimeoutMs: number;
  /** Idle connections close after this long (less when the server hints at a shorter keep-alive). */
  idleTimeoutMs: number;
  /** Requests waiting for a connection, counted across every pool of the transport. */
  queue: { waiting: number };
  /** Every request ends here exactly once. */
  finished(pending: PendingRequest, error: Error | undefined, status: number, body: string | undefined, headers?: Record<string, string>): void;
}

let readBuffer: Buffer | undefined;
const sharedReadBuffer = (): Buffer => (readBuffer ??= Buffer.allocUnsafe(64 * 1024));

// Methods a request can be repeated with when a kept-alive connection was closed under it before any answer.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

class Connection {
  readonly socket: Socket;
  readonly parser = new Http1ResponseParser();
  current: PendingRequest | undefined;
  /** It has answered a request before: a close on reuse may be the server's keep-alive timeout. */
  reused = false;
  connectDeadline: number;
  idleSince = 0;
  idleLimitMs: number;
  closed = false;

  constructor(
    readonly pool: OriginPool,
    socket: Socket,
    connectTimeoutMs: number,
    idleLimitMs: number,
  ) {
    this.socket = socket;
    this.connectDeadline = performance.now() + connectTimeoutMs;
    this.idleLimitMs = idleLimitMs;
    socket.setNoDelay(true);
    socket.once(pool.tls ? 'secureConnect' : 'connect', () => (this.connectDeadline = Number.POSITIVE_INFINITY));
    if (pool.tls) socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('end', () => this.#ended());
    socket.on('error', (error: Error) => this.#lost(error, true));
    socket.on('close', () => this.#lost(undefined, true));
  }

  send(pending: PendingRequest): void {
    this.current = pending;
    this.parser.begin(pending.request.readBody, pending.request.method === 'HEAD', pending.request.readHeaders);
    this.socket.write(pending.bytes);
  }

  /** Ends the connection; its request (if any) fails with `error`, never retried. */
  destroy(error: Error): void {
    this.#lost(error, false);
    this.socket.destroy();
  }

  /** Bytes read into the shared read buffer (plain TCP) or a chunk of its own (TLS). */
  read(chunk: Buffer): void {
    const pending = this.current;
    if (pending === undefined) {
      // Nothing was asked: the server is out of step with us.
      this.destroy(new TransportError('ECONNRESET', 'unexpected bytes on an idle connection'));
      return;
    }
    let complete: boolean;
    try {
      complete = this.parser.feed(chunk);
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (complete) this.#answered(pending);
  }

  #answered(pending: PendingRequest): void {
    const parser = this.parser;
    this.current = undefined;
    this.reused = true;
    const status = parser.status;
    const body = parser.body();
    const headers = parser.headers;
    if (parser.keepAliveHintMs !== undefined) this.idleLimitMs = Math.min(this.idleLimitMs, Math.max(0, parser.keepAliveHintMs - 1000));
    if (parser.keepAlive) this.pool.release(this);
    else {
      this.closed = true;
      this.pool.closed(this);
      this.socket.destroy();
    }
    this.pool.options.finished(pending, undefined, status, body, headers);
  }

  #ended(): void {
    if (this.current !== undefined && this.parser.end()) {
      const pending = this.current;
      this.parser.keepAlive = false;
      this.#answered(pending);
      return;
    }
    this.socket.destroy();
  }

  /** `mayRetry`: the server or the network closed it (not our timeout or a bad response). */
  #lost(error: Error | undefined, mayRetry: boolean): void {
    if (this.closed) return;
    this.closed = true;
    const pending = this.current;
    this.current = undefined;
    this.pool.closed(this);
    if (pending === undefined) return;
    const pool = this.pool;
    if (mayRetry && this.reused && this.parser.received === 0 && !pending.retried && IDEMPOTENT.has(pending.request.method)) {
      pending.retried = true;
      pool.sendFirst(pending);
      return;
    }
    pool.options.finished(pending, error ?? new TransportError('ECONNRESET', 'the server closed the connection before answering'), 0, undefined);
  }
}

/**
 * The connections to one origin: at most `connections` of them, one request at a time on each
 * (no pipelining), requests beyond that waiting in order. Every request's bytes are built once,
 * written in one call, and the response is parsed only as far as the load test needs.
 */
export class OriginPool {
  readonly tls: boolean;
  readonly #host: string;
  readonly #port: number;
  readonly hostHeader: string;
  readonly #all = new Set<Connection>();
  readonly #idle: Connection[] = [];
  #waiting: PendingRequest[] = [];
  #waitingHead = 0;

  constructor(readonly options: OriginPoolOptions) {
    const url = new URL(options.origin);
    this.tls = url.protocol === 'https:';
    this.#host = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = url.port === '' ? (this.tls ? 443 : 80) : Number(url.port);
    this.hostHeader = url.host;
  }

  get waiting(): number {
    return this.#waiting.length - this.#waitingHead;
  }

  send(pending: PendingRequest): void {
    const idle = this.#idle.pop();
    if (idle !== undefined) idle.send(pending);
    else if (this.#all.size < this.options.connections) this.#open().send(pending);
    else {
      this.#waiting.push(pending);
      this.options.queue.waiting += 1;
    }
  }

  /** Sends ahead of every waiting request (a retry keeps its place). */
  sendFirst(pending: PendingRequest): void {
    if (this.#idle.length > 0 || this.#all.size < this.options.connections) {
      this.send(pending);
      return;
    }
    if (this.#waitingHead > 0) this.#waiting[--this.#waitingHead] = pending;
    else this.#waiting.unshift(pending);
    this.options.queue.waiting += 1;
  }

  /** A connection finished a request and can take another. */
  release(connection: Connection): void {
    const next = this.#nextWaiting();
    if (next !== undefined) connection.send(next);
    else {
      connection.idleSince = performance.now();
      this.#idle.push(connection);
    }
  }

  /** A connection is gone; a waiting request gets a new one. */
  closed(connection: Connection): void {
    this.#all.delete(connection);
    const idleAt = this.#idle.indexOf(connection);
    if (idleAt !== -1) this.#idle.splice(idleAt, 1);
    if (this.waiting > 0 && this.#all.size < this.options.connections) {
      const next = this.#nextWaiting();
      if (next !== undefined) this.#open().send(next);
    }
  }

  /** Times out requests and connects past their deadline, and closes connections idle too long. */
  sweep(now: number): void {
    for (const connection of this.#all) {
      if (connection.current !== undefined && now >= connection.current.deadline) {
        connection.destroy(new TransportError('ETIMEDOUT', `no complete response within ${connection.current.request.timeoutMs} ms`));
      } else if (now >= connection.connectDeadline) {
        connection.destroy(new TransportError('ETIMEDOUT', `could not connect to ${this.options.origin} within ${this.options.connectTimeoutMs} ms`));
      } else if (connection.current === undefined && now - connection.idleSince >= connection.idleLimitMs) {
        connection.destroy(new TransportError('ECONNRESET', 'idle'));
      }
    }
    // Waiting requests are in arrival order; one that waited past its timeout fails without being sent.
    for (let first = this.#waiting[this.#waitingHead]; first !== undefined && now >= first.deadline; first = this.#waiting[this.#waitingHead]) {
      this.#shift();
      this.#timedOutWaiting(first);
    }
  }

  close(): void {
    for (const connection of this.#all) connection.destroy(new TransportError('ECONNABORTED', 'the load test closed the connection'));
    for (let pending = this.#shift(); pending !== undefined; pending = this.#shift()) {
      this.options.finished(pending, new TransportError('ECONNABORTED', 'the load test ended before it was sent'), 0, undefined);
    }
  }

  #open(): Connection {
    if (this.tls) {
      const socket = connectTls({ host: this.#host, port: this.#port, servername: /^[\d.:]+$/.test(this.#host) ? undefined : this.#host, ALPNProtocols: ['http/1.1'] });
      const connection = new Connection(this, socket, this.options.connectTimeoutMs, this.options.idleTimeoutMs);
      this.#all.add(connection);
      return connection;
    }
    // Reads land in one buffer shared by every connection of the thread (each read is parsed before
    // the next one happens): no Buffer and no stream 'data' event per response.
    const reader: { connection?: Connection } = {};
    const buffer = sharedReadBuffer();
    const socket = connectTcp({
      host: this.#host,
      port: this.#port,
      onread: {
        buffer,
        callback: (bytes) => {
          reader.connection?.read(buffer.subarray(0, bytes));
          return true;
        },
      },
    });
    const connection = new Connection(this, socket, this.options.connectTimeoutMs, this.options.idleTimeoutMs);
    reader.connection = connection;
    this.#all.add(connection);
    return connection;
  }

  #nextWaiting(): PendingRequest | undefined {
    const now = performance.now();
    for (let next = this.#shift(); next !== undefined; next = this.#shift()) {
      if (now < next.deadline) return next;
      this.#timedOutWaiting(next);
    }
    return undefined;
  }

  #shift(): PendingRequest | undefined {
    const pending = this.#waiting[this.#waitingHead];
    if (pending === undefined) return undefined;
    this.#waitingHead += 1;
    this.options.queue.waiting -= 1;
    if (this.#waitingHead === this.#waiting.length) {
      this.#waiting = [];
      this.#waitingHead = 0;
    } else if (this.#waitingHead >= 1024 && this.#waitingHead * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#waitingHead);
      this.#waitingHead = 0;
    }
    return pending;
  }

  #timedOutWaiting(pending: PendingRequest): void {
    this.options.finished(pending, new TransportError('ETIMEDOUT', `waited ${pending.request.timeoutMs} ms for a free connection (all ${this.options.connections} busy)`), 0, undefined);
  }
}
