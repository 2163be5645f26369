import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { startDemoPlatform } from '../../src/demo/demo-platform.js';
import { startEmbeddedDemo } from '../../src/demo/embedded-demo.js';
import { PrivateRedisFailed, startPrivateRedis } from '../../src/demo/private-redis.js';
import { SHADOW, startDemo } from '../helpers/demo-client.js';
import { createTestIo, runCli } from '../helpers/test-io.js';
import { portClosed } from '../helpers/port-closed.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = join(ROOT, 'bin/live-assure.js');

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function rawClient(url: string): Redis {
  const raw = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  raw.on('error', () => undefined);
  cleanups.push(() => raw.disconnect());
  return raw;
}

/** The redis-server processes this test process started and has not yet seen end. */
function redisServerChildren(): Promise<string[]> {
  return new Promise((done) => {
    execFile('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], (_error, stdout) => {
      done(stdout.split('\n').filter((line) => line.includes('redis-server')).map((line) => line.trim()));
    });
  });
}

async function takenPort(): Promise<number> {
  const blocker: Server = createServer();
  await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening));
  cleanups.push(() => new Promise((closed) => blocker.close(closed)));
  const address = blocker.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('startPrivateRedis', () => {
  it('runs a memory-only redis-server on loopback, and stops it', async () => {
    const server = await startPrivateRedis({ extraArgs: ['--notify-keyspace-events', 'KEA'] });
    cleanups.push(() => server.stop());
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    const raw = rawClient(server.url);
    expect(await raw.config('GET', 'save')).toEqual(['save', '']);
    expect(await raw.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    expect(await raw.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    expect(await raw.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', 'AKE']);
    raw.disconnect();

    await server.stop();
    expect(await portClosed(server.port)).toBe(true);
    await server.stop();
    expect(await redisServerChildren()).toEqual([]);
  });

  it('says why redis-server would not start', async () => {
    const failed = startPrivateRedis({ extraArgs: ['--no-such-directive', 'x'] });
    await expect(failed).rejects.toBeInstanceOf(PrivateRedisFailed);
    await expect(failed).rejects.toThrow(/^redis-server exited at start \(code 1\): .*Bad directive/);
  });

  it('gives up after its ready timeout and ends what it started', async () => {
    await expect(startPrivateRedis({ readyTimeoutMs: 1 })).rejects.toThrow(/^redis-server did not start within 1 ms/);
    expect(await redisServerChildren()).toEqual([]);
  });
});

describe('demo platform with a private Redis', () => {
  it('keeps production and shadow writes apart in its own redis-server, and stops it on close', async () => {
    const demo = await startDemo({ privateRedis: true });
    let closed = false;
    cleanups.push(() => closed || demo.close());
    const url = demo.platform.redisUrl ?? '';
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(demo.platform.storage).toBe(`private redis-server ${url}, memory only, stops with the demo`);
    expect((await demo.post('/room/enter', { room_id: 1, uid: 42 })).status).toBe(200);
    expect((await demo.post('/danmaku/send', { room_id: 1, uid: 42, msg: 'shadow' }, SHADOW)).status).toBe(200);
    const raw = rawClient(url);
    expect((await raw.keys('*')).sort()).toEqual(['room:enter:1', 'shadow:danmaku:1']);
    expect(await raw.hget('room:enter:1', '42')).not.toBeNull();
    raw.disconnect();

    closed = true;
    await demo.close();
    expect(await portClosed(Number(new URL(url).port))).toBe(true);
    expect(await redisServerChildren()).toEqual([]);
  });

  it('stops its redis-server when the start fails', async () => {
    await expect(startDemoPlatform({ port: await takenPort(), privateRedis: true })).rejects.toThrow(/the port is in use/);
    expect(await redisServerChildren()).toEqual([]);
  });
});

describe('live-assure demo --private-redis', () => {
  it('prints the Redis URL in its JSON line and stops its redis-server when stdin closes', async () => {
    const stdin = new PassThrough();
    const io = { ...createTestIo(), stdin };
    const exited = main(['demo', '--port', '0', '--private-redis', '--embedded'], io);
    cleanups.push(() => stdin.end());
    const deadline = Date.now() + 10_000;
    while (!io.out().includes('\n') && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 20));
    const line: Record<string, unknown> = JSON.parse(io.out());
    expect(Object.keys(line)).toEqual(['gateway', 'admin_token', 'services', 'storage', 'redis', 'shadow_routing']);
    const url = String(line['redis']);
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${String(line['gateway'])}/healthz`)).status).toBe(200);

    stdin.end();
    expect(await exited).toBe(0);
    expect(io.err()).toBe('');
    expect(await portClosed(Number(new URL(url).port))).toBe(true);
  });

  it('leaves the Redis URL out of the JSON line when the data is in memory', async () => {
    const result = await runCli(['demo', '--port', '0', '--json'], { stopWhen: (stdout) => stdout.includes('\n') });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).not.toHaveProperty('redis');
  });

  it('exits 2 when given --redis too', async () => {
    const result = await runCli(['demo', '--port', '0', '--redis', 'x', '--private-redis']);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: 'live-assure: --private-redis and --redis exclude each other: give one or the other\n' });
  });

  it('exits 3 with a hint when redis-server is not installed', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [BIN, 'demo', '--port', '0', '--private-redis'], { cwd: ROOT, env: { PATH: join(ROOT, 'no-such-dir') } });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('exit', (code) => done({ code, stderr }));
    });
    expect(result).toEqual({
      code: 3,
      stderr:
        'live-assure: demo: cannot start redis-server: it is not installed (not found on PATH)\n' +
        'hint: install redis-server (e.g. apt install redis-server), or give --redis <url>\n',
    });
  });

  it('as loadtest starts it (embedded): tells where its Redis is, and ends that redis-server on stop', async () => {
    const demo = await startEmbeddedDemo(process.execPath, ['--private-redis']);
    cleanups.push(() => demo.stop());
    const url = demo.redisUrl ?? '';
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const sent = await fetch(`${demo.gatewayUrl}/gift/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...SHADOW },
      body: JSON.stringify({ room_id: 3, uid: 7, gift_id: 1 }),
    });
    expect(sent.status).toBe(200);
    const raw = rawClient(url);
    expect((await raw.keys('*')).sort()).toEqual(['shadow:gift:rank:3', 'shadow:gift:total:3']);
    raw.disconnect();

    await demo.stop();
    expect(await portClosed(Number(new URL(url).port))).toBe(true);
  });

  it('ends its redis-server on Ctrl-C', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--port', '0', '--private-redis'], { cwd: ROOT });
    cleanups.push(() => child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('Ctrl-C stops it.') && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 20));
    const url = /storage\s+private redis-server (redis:\/\/127\.0\.0\.1:\d+), memory only/.exec(stdout)?.[1] ?? '';
    expect(url).not.toBe('');
    expect(await portClosed(Number(new URL(url).port))).toBe(false);

    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await portClosed(Number(new URL(url).port))).toBe(true);
  });
});
