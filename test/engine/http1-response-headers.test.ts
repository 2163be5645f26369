import { describe, expect, test } from 'vitest';
import { Http1ResponseParser } from '../../src/engine/http1-response-parser.js';

/** Feeds `bytes` in the pieces cut at `splits`, each a copy scribbled over afterwards (the reused read buffer). */
function feedInPieces(parser: Http1ResponseParser, bytes: Buffer, splits: readonly number[]): boolean {
  const edges = [0, ...splits, bytes.length];
  let done = false;
  for (let index = 0; index + 1 < edges.length; index += 1) {
    const part = Buffer.from(bytes.subarray(edges[index], edges[index + 1]));
    if (part.length === 0) continue;
    done = parser.feed(part) || done;
    part.fill(0x58);
  }
  return done;
}

const RESPONSE = Buffer.from(
  [
    'HTTP/1.1 200 OK',
    'Content-Type: application/json',
    'X-Degraded:  room-info-local-cache ',
    'x-tag: a',
    'X-Other: not asked for',
    'X-TAG:b',
    'Content-Length: 11',
    '',
    '{"ok":true}',
  ].join('\r\n'),
  'latin1',
);

describe('Http1ResponseParser, headers a request asked for', () => {
  test('only the names asked for, any case, repeated values joined: the same whatever two reads the head came in', () => {
    for (let split = 0; split <= RESPONSE.length; split += 1) {
      const parser = new Http1ResponseParser();
      parser.begin(true, false, ['x-degraded', 'x-tag', 'x-missing']);
      expect(feedInPieces(parser, RESPONSE, [split])).toBe(true);
      expect(parser.headers).toEqual({ 'x-degraded': 'room-info-local-cache', 'x-tag': 'a, b' });
      expect(parser.body()).toBe('{"ok":true}');
    }
  });

  test('a head spread over many reads, byte by byte', () => {
    const parser = new Http1ResponseParser();
    parser.begin(false, false, ['content-type', 'x-tag']);
    expect(feedInPieces(parser, RESPONSE, Array.from({ length: RESPONSE.length - 1 }, (_, index) => index + 1))).toBe(true);
    expect(parser.headers).toEqual({ 'content-type': 'application/json', 'x-tag': 'a, b' });
  });

  test('after 100 Continue, the headers are the final response\'s', () => {
    const bytes = Buffer.from('HTTP/1.1 100 Continue\r\nX-Tag: interim\r\n\r\nHTTP/1.1 204 No Content\r\nX-Degraded: yes\r\n\r\n', 'latin1');
    for (let split = 0; split <= bytes.length; split += 1) {
      const parser = new Http1ResponseParser();
      parser.begin(false, false, ['x-tag', 'x-degraded']);
      expect(feedInPieces(parser, bytes, [split])).toBe(true);
      expect(parser.status).toBe(204);
      expect(parser.headers).toEqual({ 'x-degraded': 'yes' });
    }
  });

  test('a request that names no headers gets none, also on a connection whose previous request asked', () => {
    const parser = new Http1ResponseParser();
    parser.begin(false, false, ['x-tag']);
    expect(parser.feed(Buffer.from(RESPONSE))).toBe(true);
    expect(parser.headers).toEqual({ 'x-tag': 'a, b' });
    parser.begin(false, false);
    expect(parser.feed(Buffer.from(RESPONSE))).toBe(true);
    expect(parser.headers).toBeUndefined();
  });

  test('a header named like an Object.prototype member is a plain entry', () => {
    const parser = new Http1ResponseParser();
    parser.begin(false, false, ['__proto__', 'constructor']);
    parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n__proto__: x\r\nContent-Length: 0\r\n\r\n', 'latin1'));
    expect(Object.keys(parser.headers ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parser.headers)).toBe(Object.prototype);
  });
});
