import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedDemo } from '../../src/demo/embedded-demo.js';
import { freePort } from '../helpers/redis-server.js';
import { portClosed } from '../helpers/port-closed.js';

/** `live-assure demo` as a user runs it: the built binary in its own process. */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = join(ROOT, 'bin/live-assure.js');

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function runToEnd(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 15_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

async function eventually(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

describe('live-assure demo (binary)', () => {
  it('prints the gateway and token, serves, and stops cleanly on Ctrl-C', async () => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, 'demo', '--port', '0', '--admin-token', 'e2e-admin-token'], { cwd: ROOT });
    cleanups.push(() => child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await eventually(() => stdout.includes('Ctrl-C stops it.'), 'the banner');
    const startupMs = Date.now() - started;
    console.log(`demo binary start to banner: ${startupMs} ms`);

    const gateway = /gateway\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(gateway).toBeDefined();
    expect(stdout).toMatch(/admin token\s+e2e-admin-token/);
    expect(stdout).toMatch(/storage\s+in memory/);
    const flags = await fetch(`${gateway}/admin/flags`, { headers: { authorization: 'Bearer e2e-admin-token' } });
    expect(flags.status).toBe(200);
    expect((await fetch(`${gateway}/room/info?room_id=1`)).status).toBe(200);

    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('live-assure demo: stopped');
    await expect(fetch(`${gateway}/healthz`)).rejects.toThrow();
  });

  it('runs embedded and stops when its parent process dies', async () => {
    // A parent that starts the embedded demo, reports the demo's address and pid, then is killed.
    const script = `
      import { startEmbeddedDemo } from ${JSON.stringify(join(ROOT, 'dist/demo/embedded-demo.js'))};
      const demo = await startEmbeddedDemo(process.execPath);
      const health = await fetch(demo.gatewayUrl + '/healthz');
      console.log(JSON.stringify({ gateway: demo.gatewayUrl, health: health.status }));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    cleanups.push(() => parent.kill('SIGKILL'));
    let out = '';
    parent.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await eventually(() => out.includes('\n'), 'the parent reporting the demo');
    const { gateway, health } = JSON.parse(out) as { gateway: string; health: number };
    expect(health).toBe(200);
    const port = Number(new URL(gateway).port);

    expect(await portClosed(port)).toBe(false);
    parent.kill('SIGKILL');
    await eventually(() => portClosed(port), 'the orphaned demo to stop and release its port');
  });

  it('starts embedded from this process and stops on request', async () => {
    const demo = await startEmbeddedDemo(process.execPath, ['--admin-token', 'embedded-token-1']);
    expect(demo.adminToken).toBe('embedded-token-1');
    expect(demo.services.map((service) => service.name)).toEqual(['room-svc', 'danmaku-svc', 'gift-svc']);
    expect((await fetch(`${demo.gatewayUrl}/gift/rank?room_id=1`)).status).toBe(200);
    await demo.stop();
    await expect(fetch(`${demo.gatewayUrl}/healthz`)).rejects.toThrow();
  });

  it('exits 3 with a hint when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening));
    cleanups.push(() => new Promise((closed) => blocker.close(closed)));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const result = await runToEnd(['demo', '--port', String(port)]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(`live-assure: demo: cannot listen on 127.0.0.1:${port}: the port is in use\nhint: --port 0 picks a free port\n`);
  });

  it('exits 3 when the Redis it was given cannot be reached, and 2 on a bad port', async () => {
    const port = await freePort();
    const unreachable = await runToEnd(['demo', '--port', '0', '--redis', `redis://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(new RegExp(`^live-assure: demo: cannot reach Redis at redis://127.0.0.1:${port}: .*ECONNREFUSED`));
    const badPort = await runToEnd(['demo', '--port', 'eighty']);
    expect(badPort).toMatchObject({ code: 2, stderr: 'live-assure: --port must be a port number from 0 to 65535, not eighty\n' });
  });

  it('exits 2 with one line on a bad --upstream, and starts nothing', async () => {
    const cases: [string[], string][] = [
      [['--upstream', 'gift-svc'], '--upstream must be <service>=<host:port>, e.g. gift-svc=127.0.0.1:7003, not "gift-svc"'],
      [['--upstream', 'cdn=127.0.0.1:80'], '--upstream: no service "cdn"; the services are room-svc, danmaku-svc, gift-svc'],
      [['--upstream', 'gift-svc=127.0.0.1:0'], '--upstream gift-svc: expected host:port with a port from 1 to 65535, not "127.0.0.1:0"'],
      [['--upstream', 'gift-svc=127.0.0.1:7003', '--upstream', 'gift-svc=127.0.0.1:7004'], '--upstream gift-svc is given twice'],
    ];
    for (const [args, message] of cases) {
      expect(await runToEnd(['demo', '--port', '0', ...args])).toEqual({ code: 2, stdout: '', stderr: `live-assure: ${message}\n` });
    }
  });

  it('sends the gateway\'s traffic for a service to --upstream; the service keeps its own address', async () => {
    const nothing = await freePort();
    const demo = await startEmbeddedDemo(process.execPath, ['--upstream', `room-svc=127.0.0.1:${nothing}`]);
    cleanups.push(() => demo.stop());
    expect(demo.services.map((service) => service.name)).toEqual(['room-svc', 'danmaku-svc', 'gift-svc']);
    // Nothing listens there: the gateway's room traffic fails, the rest is served.
    expect((await fetch(`${demo.gatewayUrl}/room/info?room_id=1`)).status).toBe(502);
    expect((await fetch(`${demo.gatewayUrl}/gift/rank?room_id=1`)).status).toBe(200);
    const room = demo.services.find((service) => service.name === 'room-svc');
    expect((await fetch(`${room?.url}/room/info?room_id=1`)).status).toBe(200);
  });
});
