import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

/** The README's shadow-library example, run as a user would run it (it imports `live-assure/shadow`). */
const EXAMPLE = 'examples/shadow-aware-service.mjs';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('the shadow library example', () => {
  it('is in the README verbatim', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(readFileSync(EXAMPLE, 'utf8'));
  });

  it('keeps shadow scores apart from production ones and tags its outbound call', async () => {
    const audits: { user: string; tag: string | undefined }[] = [];
    const audit = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const tag = request.headers['x-live-assure-shadow'];
        audits.push({ user: body, tag: typeof tag === 'string' ? tag : undefined });
        response.end();
      });
    });
    await new Promise<void>((listening) => audit.listen(0, '127.0.0.1', listening));
    const auditAddress = audit.address();
    const auditPort = typeof auditAddress === 'object' && auditAddress !== null ? auditAddress.port : 0;

    const child = spawn(process.execPath, [EXAMPLE], {
      env: { ...process.env, REDIS_URL: redis.url, PORT: '0', AUDIT_URL: `http://127.0.0.1:${auditPort}/audit` },
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (line: string) => {
          const match = /"port":(\d+)/.exec(line);
          if (match) resolve(Number(match[1]));
        });
        child.stderr.setEncoding('utf8').on('data', (text: string) => reject(new Error(text)));
      });
      const score = async (user: string, headers: Record<string, string> = {}) =>
        (await fetch(`http://127.0.0.1:${port}/score?user=${user}`, { headers })).json();
      expect(await score('alice')).toEqual({ top: ['alice'] });
      expect(await score('bob', { 'x-live-assure-shadow': 'run-7' })).toEqual({ top: ['bob'] });
      expect(await redis.raw.zrange('score:board', '0', '-1')).toEqual(['alice']);
      expect(await redis.raw.zrange('shadow:score:board', '0', '-1')).toEqual(['bob']);
      expect(audits).toEqual([{ user: 'alice', tag: undefined }, { user: 'bob', tag: 'run-7' }]);
    } finally {
      child.kill();
      audit.close();
      await redis.raw.flushdb();
    }
  });
});
