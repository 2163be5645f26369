import { describe, expect, test } from 'vitest';
import { ProtocolError } from '../../src/engine/http1-response-head.js';
import { Http1ResponseParser } from '../../src/engine/http1-response-parser.js';

/** Feeds `bytes` split at every position in turn (and whole); each split must parse the same. */
function parseEverySplit(bytes: string, keepBody = true, noBody = false): Array<{ status: number; body: string | undefined; keepAlive: boolean; done: boolean }> {
  const buffer = Buffer.from(bytes, 'latin1');
  const results = [];
  for (let split = 0; split <= buffer.length; split += 1) {
    const parser = new Http1ResponseParser();
    parser.begin(keepBody, noBody);
    // The connection's read buffer is reused: feed copies that are scribbled over afterwards.
    const parts = [buffer.subarray(0, split), buffer.subarray(split)].filter((part) => part.length > 0);
    let done = false;
    for (const part of parts) {
      const copy = Buffer.from(part);
      done = parser.feed(copy) || done;
      copy.fill(0x58);
    }
    results.push({ status: parser.status, body: parser.body(), keepAlive: parser.keepAlive, done });
  }
  return results;
}

describe('Http1ResponseParser', () => {
  test('a content-length response, split anywhere', () => {
    const results = parseEverySplit('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"id":"r1"}');
    for (const result of results) expect(result).toEqual({ status: 201, body: '{"id":"r1"}', keepAlive: true, done: true });
  });

  test('a chunked response with extensions and trailers, split anywhere', () => {
    const response = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nx-trailer: 1\r\n\r\n';
    for (const result of parseEverySplit(response)) expect(result).toEqual({ status: 200, body: 'Wikipedia in\r\n\r\nchunks.', keepAlive: true, done: true });
  });

  test('byte by byte, with a body not kept', () => {
    const parser = new Http1ResponseParser();
    parser.begin(false, false);
    const bytes = Buffer.from('HTTP/1.1 404 Not Found\r\nCONTENT-LENGTH: 3\r\nConnection: close\r\n\r\nno!');
    const ends = [...bytes].map((byte) => parser.feed(Buffer.from([byte])));
    expect(ends.indexOf(true)).toBe(bytes.length - 1);
    expect(parser.status).toBe(404);
    expect(parser.keepAlive).toBe(false);
    expect(parser.body()).toBeUndefined();
  });

  test('100 Continue is skipped; the response after it counts', () => {
    for (const result of parseEverySplit('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nDate: x\r\n\r\n')) {
      expect(result).toEqual({ status: 204, body: '', keepAlive: true, done: true });
    }
  });

  test('the answer to HEAD has a content-length but no body', () => {
    const parser = new Http1ResponseParser();
    parser.begin(true, true);
    expect(parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n'))).toBe(true);
    expect(parser.status).toBe(200);
  });

  test('without framing the body runs until the connection closes, which then cannot be reused', () => {
    const parser = new Http1ResponseParser();
    parser.begin(true, false);
    expect(parser.feed(Buffer.from('HTTP/1.0 200 OK\r\nServer: old\r\n\r\nall of '))).toBe(false);
    expect(parser.feed(Buffer.from('it'))).toBe(false);
    expect(parser.end()).toBe(true);
    expect(parser.body()).toBe('all of it');
    expect(parser.keepAlive).toBe(false);
  });

  test('HTTP/1.0 keeps the connection only when asked to; keep-alive hints are read', () => {
    const parser = new Http1ResponseParser();
    parser.begin(false, false);
    parser.feed(Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(parser.keepAlive).toBe(false);
    parser.begin(false, false);
    parser.feed(Buffer.from('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nKeep-Alive: timeout=7, max=100\r\nContent-Length: 0\r\n\r\n'));
    expect(parser.keepAlive).toBe(true);
    expect(parser.keepAliveHintMs).toBe(7000);
  });

  test('bytes after a complete response mark the connection out of step', () => {
    const parser = new Http1ResponseParser();
    parser.begin(false, false);
    expect(parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n'))).toBe(true);
    expect(parser.keepAlive).toBe(false);
  });

  test.each([
    ['not HTTP', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['a bad status', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['a bad content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('%s is a protocol error', (_name, bytes) => {
    const parser = new Http1ResponseParser();
    parser.begin(true, false);
    expect(() => parser.feed(Buffer.from(bytes))).toThrow(ProtocolError);
  });

  test('a head larger than 16 KiB is refused', () => {
    const parser = new Http1ResponseParser();
    parser.begin(false, false);
    expect(parser.feed(Buffer.from(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(10_000)}\r\n`))).toBe(false);
    expect(() => parser.feed(Buffer.from(`x-bigger: ${'b'.repeat(10_000)}\r\n`))).toThrow(/16 KiB/);
  });
});
