import type { IncomingMessage } from 'node:http';

export type BodyRead = { kind: 'complete'; body: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Collects the body up to `maxBytes` and gives up the moment it would pass the limit, so an oversized or
 * endless upload costs at most `maxBytes` of memory. A declared `content-length` over the limit is refused
 * before a byte of the body is read.
 */
export function readLimitedBody(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (read: BodyRead): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onAborted);
      resolve(read);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop taking bytes in: the socket is closed once the 413 is written.
        request.pause();
        finish({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: 'complete', body: Buffer.concat(chunks, size) });
    const onAborted = (): void => finish({ kind: 'aborted' });
    request.on('data', onData);
    request.once('end', onEnd);
    // Stays attached after the read: a late reset must find a listener rather than surface as an uncaught error.
    request.on('error', onAborted);
    request.once('close', onAborted);
  });
}
