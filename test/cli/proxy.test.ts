import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { apiCall } from '../helpers/api-call.js';
import { spawnCli } from '../helpers/cli-process.js';
import { portClosed } from '../helpers/port-closed.js';
import { echoes, portOf, startEchoServer } from '../helpers/tcp-echo.js';
import { createTestIo, runCli } from '../helpers/test-io.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'la-proxy-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
    await new Promise((wait) => setTimeout(wait, 20));
  }
}

/** `live-assure proxy` in-process, with a Ctrl-C the test presses when it is done. */
function startInProcess(args: string[], cwd?: string) {
  const controller = new AbortController();
  const io = { ...createTestIo(cwd === undefined ? {} : { cwd }), signal: controller.signal };
  const exit = main(['proxy', ...args], io);
  cleanups.push(async () => {
    controller.abort('SIGINT');
    await exit;
  });
  return { io, exit, stop: () => controller.abort('SIGINT') };
}

describe('live-assure proxy', () => {
  it('prints where its API listens, serves Toxiproxy\'s API, and stops on Ctrl-C with exit 0', async () => {
    const run = startInProcess(['--listen', '127.0.0.1:0', '--seed', '42']);
    await eventually(() => run.io.out().includes('Ctrl-C stops it.'), 'the banner');
    const banner = run.io.out();
    expect(banner).toMatch(/^live-assure proxy: Toxiproxy-compatible API on http:\/\/127\.0\.0\.1:\d+ \(seed 42\)\n/);
    expect(banner.trimEnd().split('\n').at(-1)).toBe('Ctrl-C stops it.');
    const url = /API on (http:\/\/\S+)/.exec(banner)?.[1] ?? '';

    const echo = await startEchoServer();
    cleanups.push(() => echo.close());
    const created = await apiCall(url, 'POST', '/proxies', { name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    expect(created.status).toBe(201);
    const port = portOf(String(Object(created.json).listen));
    expect(await echoes(port)).toBe(true);

    run.stop();
    expect(await run.exit).toBe(0);
    expect(run.io.out()).toMatch(/live-assure proxy: stopped\n$/);
    expect(await portClosed(port)).toBe(true);
    expect(await portClosed(portOf(new URL(url).host))).toBe(true);
  });

  it('prints one JSON line with --json, and creates the proxies of a --populate file at start', async () => {
    const echo = await startEchoServer();
    cleanups.push(() => echo.close());
    const dir = tempDir();
    writeFileSync(join(dir, 'proxies.json'), JSON.stringify([{ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` }], null, 2));
    const run = startInProcess(['--listen', '127.0.0.1:0', '--populate', 'proxies.json', '--json'], dir);
    await eventually(() => run.io.out().endsWith('\n'), 'the JSON line');
    const line: unknown = JSON.parse(run.io.out());
    expect(line).toEqual({
      api: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      seed: expect.any(Number),
      proxies: [{ name: 'echo', listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream: `127.0.0.1:${echo.port}`, enabled: true }],
    });
    const listen = String(Object(Object(line).proxies[0]).listen);
    expect(await echoes(portOf(listen))).toBe(true);
    run.stop();
    expect(await run.exit).toBe(0);
    expect(run.io.out().split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('lists populated proxies in the banner', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'proxies.json'), JSON.stringify([{ name: 'redis', listen: '127.0.0.1:0', upstream: '127.0.0.1:6379' }]));
    const result = await runCli(['proxy', '--listen', '127.0.0.1:0', '--populate', 'proxies.json'], { cwd: dir, stopWhen: (out) => out.includes('Ctrl-C stops it.') });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n {2}redis {8}127\.0\.0\.1:\d+ → 127\.0\.0\.1:6379\n/);
  });

  it.each([
    ['127.0.0.1', /^live-assure: --listen: expected host:port/],
    ['127.0.0.1:99999', /^live-assure: --listen: expected host:port/],
    ['localhost:http', /^live-assure: --listen: expected host:port/],
  ])('exits 2 with one line on --listen %s', async (listen, message) => {
    const result = await runCli(['proxy', '--listen', listen]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on a bad --seed', async () => {
    const result = await runCli(['proxy', '--listen', '127.0.0.1:0', '--seed', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--seed/);
  });

  it('exits 3 with a hint when the --listen port is in use', async () => {
    const port = await takenPort();
    const result = await runCli(['proxy', '--listen', `127.0.0.1:${port}`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(`live-assure: proxy: cannot listen on 127.0.0.1:${port}: the port is in use (a toxiproxy-server already running?)\nhint: --listen 127.0.0.1:0 picks a free port\n`);
  });

  it('exits 3 when a proxy of the --populate file cannot listen, and leaves nothing listening', async () => {
    const port = await takenPort();
    const dir = tempDir();
    writeFileSync(join(dir, 'proxies.json'), JSON.stringify([{ name: 'redis', listen: `127.0.0.1:${port}`, upstream: '127.0.0.1:6379' }]));
    const result = await runCli(['proxy', '--listen', '127.0.0.1:0', '--populate', 'proxies.json'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^live-assure: proxy: cannot start the proxies in proxies\\.json: .*127\\.0\\.0\\.1:${port}`));
  });

  it.each([
    ['missing.json', null, /^live-assure: missing\.json:1:1 cannot read the proxies file: no such file\n/],
    ['broken.json', '[\n  {"name": "a",}\n]', /^live-assure: broken\.json:2:16 not JSON: Expected double-quoted property name\n/],
    ['object.json', '{"name": "a"}', /^live-assure: object\.json:1:1 expected a JSON array of proxies\n/],
    ['no-upstream.json', '[\n  {"name": "a", "listen": "127.0.0.1:0"}\n]', /^live-assure: no-upstream\.json:2:3 0\.upstream: missing required field\n/],
    ['wrong-type.json', '[\n  {"name": "a", "listen": 0, "upstream": "127.0.0.1:1"}\n]', /^live-assure: wrong-type\.json:2:27 0\.listen: expected a string, got 0\n/],
  ])('exits 2 naming the file and the reason for a bad --populate file (%s)', async (file, text, message) => {
    const dir = tempDir();
    if (text !== null) writeFileSync(join(dir, file), text);
    const result = await runCli(['proxy', '--listen', '127.0.0.1:0', '--populate', file], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('exits 2 when the model refuses an entry of the --populate file (an upstream without a port)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'proxies.json'), JSON.stringify([{ name: 'a', listen: '127.0.0.1:0', upstream: 'redis' }]));
    const result = await runCli(['proxy', '--listen', '127.0.0.1:0', '--populate', 'proxies.json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^live-assure: proxies\.json:1:1 .*upstream/);
  });
});

describe('live-assure proxy (binary)', () => {
  it('starts, prints its address, serves the API, and exits 0 on SIGINT', async () => {
    const run = spawnCli(['proxy', '--listen', '127.0.0.1:0'], { timeoutMs: 20_000 });
    cleanups.push(() => run.kill('SIGKILL'));
    await eventually(() => run.output().includes('Ctrl-C stops it.'), 'the banner');
    const url = /API on (http:\/\/\S+)/.exec(run.output())?.[1] ?? '';
    const version = await apiCall(url, 'GET', '/version');
    expect(version.status).toBe(200);
    expect((await apiCall(url, 'GET', '/proxies')).json).toEqual({});
    run.kill('SIGINT');
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/live-assure proxy: stopped\n$/);
    expect(done.stderr).toBe('');
  });
});

/** A loopback port something already listens on (closed after the test). */
async function takenPort(): Promise<number> {
  const taken = createServer();
  taken.listen(0, '127.0.0.1');
  await once(taken, 'listening');
  cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
  const address = taken.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
