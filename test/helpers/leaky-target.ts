import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { readShadowTag } from '../../src/shadow/shadow-tag.js';

export interface LeakyTarget {
  url: string;
  /** Tagged and untagged requests seen, by path. */
  seen: { tagged: Map<string, number>; untagged: number };
  close(): Promise<void>;
}

export interface LeakyOptions {
  /** Routes that ignore the shadow tag: their tagged writes land in production keys. */
  leakyRoutes?: string[];
  /** Every route starts ignoring the tag after this many tagged writes (a leak that begins mid-run). */
  leakAfterTagged?: number;
  /** Each answer waits this long (a slow platform). */
  delayMs?: number;
}

/**
 * A deliberately careless platform: POST /note {id, uid, text} appends to list `notes:<id>`, POST
 * /like {id, uid} adds to set `likes:<id>`; tagged requests write `shadow:`-prefixed keys, except
 * where told to leak.
 */
export async function startLeakyTarget(redisUrl: string, options: LeakyOptions = {}): Promise<LeakyTarget> {
  const redis = new Redis(redisUrl);
  const seen = { tagged: new Map<string, number>(), untagged: 0 };
  let taggedWrites = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      void (async () => {
        if (options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        const path = request.url ?? '/';
        const tagged = readShadowTag(request.headers).kind === 'shadow';
        if (tagged) seen.tagged.set(path, (seen.tagged.get(path) ?? 0) + 1);
        else seen.untagged += 1;
        const leaking = (options.leakyRoutes ?? []).includes(path) || (options.leakAfterTagged !== undefined && taggedWrites >= options.leakAfterTagged);
        if (tagged) taggedWrites += 1;
        const prefix = tagged && !leaking ? 'shadow:' : '';
        const fields: unknown = JSON.parse(body || '{}');
        const field = (name: string): string => (typeof fields === 'object' && fields !== null && name in fields ? String(Reflect.get(fields, name)) : '');
        if (path === '/note') await redis.rpush(`${prefix}notes:${field('id')}`, JSON.stringify({ uid: field('uid'), text: field('text') }));
        else if (path === '/like') await redis.sadd(`${prefix}likes:${field('id')}`, field('uid'));
        else {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      })().catch(() => response.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      redis.disconnect();
    },
  };
}
