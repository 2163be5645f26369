/** A response the parser could not make sense of; the connection it came on cannot be reused. */
export class ProtocolError extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';
}

/** What the load path needs from a response head. Filled in place: one per parser, none per response. */
export interface ResponseHead {
  /** Offset just past the blank line that ends the head. */
  end: number;
  status: number;
  http10: boolean;
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  /** `Connection:` names `close` / `keep-alive`. */
  connectionClose: boolean;
  connectionKeepAlive: boolean;
  /** The `Keep-Alive: timeout=…` hint, ms, or undefined. */
  keepAliveMs: number | undefined;
}

const CR = 13;
const LF = 10;
const COLON = 58;
const SPACE = 32;
const TAB = 9;
const HTTP_1_DOT = [72, 84, 84, 80, 47, 49, 46]; // "HTTP/1."

const CONTENT_LENGTH = bytesOf('content-length');
const TRANSFER_ENCODING = bytesOf('transfer-encoding');
const CONNECTION = bytesOf('connection');
const KEEP_ALIVE = bytesOf('keep-alive');
const CLOSE = bytesOf('close');

function bytesOf(text: string): number[] {
  return [...Buffer.from(text, 'latin1')];
}

/** Whether bytes [from, to) spell `name` (lower case ASCII), in any case. */
function nameIs(data: Buffer, from: number, to: number, name: readonly number[]): boolean {
  if (to - from !== name.length) return false;
  for (let index = 0; index < name.length; index += 1) {
    if (((data[from + index] ?? 0) | 0x20) !== name[index]) return false;
  }
  return true;
}

function trimmedText(data: Buffer, from: number, to: number): string {
  let start = from;
  let end = to;
  while (start < end && (data[start] === SPACE || data[start] === TAB)) start += 1;
  while (end > start && (data[end - 1] === SPACE || data[end - 1] === TAB || data[end - 1] === CR)) end -= 1;
  return data.toString('latin1', start, end);
}

/** Whether bytes [from, to) contain `token` (lower case ASCII), in any case. */
function containsToken(data: Buffer, from: number, to: number, token: readonly number[]): boolean {
  const last = to - token.length;
  outer: for (let start = from; start <= last; start += 1) {
    for (let index = 0; index < token.length; index += 1) {
      if (((data[start + index] ?? 0) | 0x20) !== token[index]) continue outer;
    }
    return true;
  }
  return false;
}

function sameBytes(data: Buffer, from: number, to: number, other: Buffer): boolean {
  if (to - from !== other.length) return false;
  for (let index = 0; index < other.length; index += 1) if (data[from + index] !== other[index]) return false;
  return true;
}

/** The next LF at or after `from`, or -1. A loop: lines are short, and Buffer#indexOf costs more to call than to run. */
function nextLineFeed(data: Buffer, from: number): number {
  for (let index = from; index < data.length; index += 1) if (data[index] === LF) return index;
  return -1;
}

// A server sends the same keep-alive hint on every response: its bytes are compared, parsed once.
let lastHint = Buffer.alloc(0);
let lastHintMs: number | undefined;
function keepAliveMs(data: Buffer, from: number, to: number): number | undefined {
  if (!sameBytes(data, from, to, lastHint)) {
    lastHint = Buffer.from(data.subarray(from, to));
    const seconds = /timeout=(\d+)/i.exec(lastHint.toString('latin1'))?.[1];
    lastHintMs = seconds === undefined ? undefined : Number(seconds) * 1000;
  }
  return lastHintMs;
}

/** A content-length value in bytes [from, to), or -1 when it is not one. */
function lengthValue(data: Buffer, from: number, to: number): number {
  let value = 0;
  let digits = 0;
  let ended = false;
  for (let index = from; index < to; index += 1) {
    const code = data[index] ?? 0;
    if (code >= 48 && code <= 57 && !ended) {
      value = value * 10 + code - 48;
      digits += 1;
    } else if (code === SPACE || code === TAB || code === CR) ended = digits > 0;
    else return -1;
  }
  return digits === 0 || digits > 15 ? -1 : value;
}

/** Whether bytes [from, to) spell `name` (lower case), in any case. */
function nameMatches(data: Buffer, from: number, to: number, name: string): boolean {
  if (to - from !== name.length) return false;
  for (let index = 0; index < name.length; index += 1) {
    const code = data[from + index] ?? 0;
    if ((code >= 65 && code <= 90 ? code + 32 : code) !== name.charCodeAt(index)) return false;
  }
  return true;
}

/**
 * The values of the headers named in `names` (lower case) in a complete head at bytes [start, end)
 * (as `readResponseHead` found it), keyed by those names; a repeated header's values joined with
 * ", ". A second pass over the head, made only for requests that ask: the load path never pays
 * for header strings.
 */
export function readHeaderValues(data: Buffer, start: number, end: number, names: readonly string[]): Record<string, string> {
  const values = new Map<string, string>();
  for (let at = nextLineFeed(data, start) + 1; at < end; ) {
    const lineEnd = nextLineFeed(data, at);
    if (lineEnd === -1 || lineEnd >= end) break;
    let colon = at;
    while (colon < lineEnd && data[colon] !== COLON) colon += 1;
    if (colon < lineEnd) {
      for (const name of names) {
        if (!nameMatches(data, at, colon, name)) continue;
        const value = trimmedText(data, colon + 1, lineEnd);
        const before = values.get(name);
        values.set(name, before === undefined ? value : `${before}, ${value}`);
        break;
      }
    }
    at = lineEnd + 1;
  }
  // fromEntries defines own properties: a header named like `__proto__` stays a plain entry.
  return Object.fromEntries(values);
}

function sample(data: Buffer, from: number): string {
  return JSON.stringify(data.toString('latin1', from, Math.min(data.length, from + 24)));
}

/**
 * Reads a response head from `data` at `start`, straight from the bytes: only the lines that can
 * decide framing and reuse are looked at, and only their values become strings. False when the
 * head is not complete yet. Throws `ProtocolError`.
 */
export function readResponseHead(data: Buffer, start: number, head: ResponseHead): boolean {
  const statusEnd = nextLineFeed(data, start);
  if (statusEnd === -1) return false;
  for (let index = 0; index < HTTP_1_DOT.length; index += 1) {
    if (data[start + index] !== HTTP_1_DOT[index]) throw new ProtocolError(`not an HTTP/1 response: ${sample(data, start)}`);
  }
  const d0 = (data[start + 9] ?? 0) - 48;
  const d1 = (data[start + 10] ?? 0) - 48;
  const d2 = (data[start + 11] ?? 0) - 48;
  if (data[start + 8] !== SPACE || d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) throw new ProtocolError(`bad status line ${sample(data, start)}`);
  head.status = d0 * 100 + d1 * 10 + d2;
  head.http10 = data[start + 7] === 48;
  head.contentLength = -1;
  head.chunked = false;
  head.connectionClose = false;
  head.connectionKeepAlive = false;
  head.keepAliveMs = undefined;
  let at = statusEnd + 1;
  for (;;) {
    if (at >= data.length) return false;
    const first = data[at] ?? 0;
    if (first === LF || (first === CR && data[at + 1] === LF)) {
      head.end = at + (first === LF ? 1 : 2);
      return true;
    }
    const lineEnd = nextLineFeed(data, at);
    if (lineEnd === -1) return false;
    const initial = first | 0x20;
    // c(ontent-length, onnection), t(ransfer-encoding), k(eep-alive): no other line matters.
    if (initial === 99 || initial === 116 || initial === 107) {
      let colon = at;
      while (colon < lineEnd && data[colon] !== COLON) colon += 1;
      if (colon < lineEnd) {
        if (nameIs(data, at, colon, CONTENT_LENGTH)) {
          head.contentLength = lengthValue(data, colon + 1, lineEnd);
          if (head.contentLength === -1) throw new ProtocolError(`bad content-length ${JSON.stringify(trimmedText(data, colon + 1, lineEnd))}`);
        } else if (nameIs(data, at, colon, CONNECTION)) {
          head.connectionClose = containsToken(data, colon + 1, lineEnd, CLOSE);
          head.connectionKeepAlive = containsToken(data, colon + 1, lineEnd, KEEP_ALIVE);
        } else if (nameIs(data, at, colon, KEEP_ALIVE)) head.keepAliveMs = keepAliveMs(data, colon + 1, lineEnd);
        else if (nameIs(data, at, colon, TRANSFER_ENCODING)) head.chunked = trimmedText(data, colon + 1, lineEnd).toLowerCase().endsWith('chunked');
      }
    }
    at = lineEnd + 1;
  }
}
