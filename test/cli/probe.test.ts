import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { closeServers } from '../helpers/close-servers.js';
import { createTestIo, runCli } from '../helpers/test-io.js';

const servers: Server[] = [];
afterEach(() => closeServers(servers));

interface Seen {
  method?: string;
  headers?: IncomingHttpHeaders;
  body?: string;
}

/**
 * A service that works on at most `slots` requests at once, each for `serviceMs`; the rest wait
 * their turn. In a closed loop of N connections, throughput is min(N, slots)/serviceMs and latency
 * is serviceMs up to N = slots, then grows as N/slots × serviceMs: the knee is at N = slots.
 */
async function slotServer(slots: number, serviceMs: number, status = 200): Promise<{ url: string; seen: Seen }> {
  const seen: Seen = {};
  let busy = 0;
  const waiting: Array<() => void> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      Object.assign(seen, { method: request.method, headers: request.headers, body });
      const serve = (): void => {
        busy += 1;
        setTimeout(() => {
          response.writeHead(status).end('ok');
          busy -= 1;
          waiting.shift()?.();
        }, serviceMs);
      };
      if (busy < slots) serve();
      else waiting.push(serve);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/work`, seen };
}

/** A port nobody listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface ProbeJson {
  levels: Array<{ concurrency: number; throughput: number; meets_slo: boolean; misses: string[]; latency_ms: { p99: number } | null }>;
  knee: { concurrency: number; throughput: number; p99_ms: number } | null;
  per_instance_qps: number | null;
  hint: string | null;
  usl: { sigma: number; kappa: number; lambda: number; r2: number; points: number } | null;
  interrupted_at: number | null;
  warnings: string[];
}

describe('probe', () => {
  it('finds the knee where latency starts to grow, fits the USL and prints one JSON object', async () => {
    // 4 slots × 50 ms: 80 req/s from N = 4 on; p99 ≈ 50 ms up to N = 4, ≥ 100 ms at N = 8.
    const { url } = await slotServer(4, 50);
    const result = await runCli(['probe', '--url', url, '--concurrency', '1,2,4,8', '--step-duration', '1s', '--slo-p99', '90ms', '--json']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(result.stdout) as ProbeJson;
    expect(json.levels.map((level) => level.concurrency)).toEqual([1, 2, 4, 8]);
    expect(json.levels.map((level) => level.meets_slo)).toEqual([true, true, true, false]);
    expect(json.levels[3]?.misses[0]).toMatch(/^p99 \d+ ms > 90 ms$/);
    expect(json.knee?.concurrency).toBe(4);
    expect(json.knee?.throughput).toBeGreaterThan(60);
    expect(json.knee?.throughput).toBeLessThanOrEqual(81);
    expect(json.per_instance_qps).toBe(Math.floor(json.knee?.throughput ?? 0));
    expect(json.hint).toBe(`per_instance_qps: ${json.per_instance_qps}   # probe knee at concurrency 4, p99 ${json.knee?.p99_ms} ms`);
    expect(json.usl?.points).toBe(4);
    expect(Number.isFinite(json.usl?.sigma)).toBe(true);
    expect(json.warnings[0]).toBe('only 4 levels: σ and κ are poorly determined; measure at least 6');
    expect(json.interrupted_at).toBeNull();
    // One progress line per level on stderr, as each finishes.
    expect(result.stderr.trimEnd().split('\n').map((line) => /^probe: concurrency (\d+): /.exec(line)?.[1])).toEqual(['1', '2', '4', '8']);
  });

  it('prints a table, the knee and a ready-to-paste hint; sends the method, headers and body', async () => {
    const { url, seen } = await slotServer(8, 5);
    const result = await runCli([
      'probe', '--url', url, '--concurrency', '1,2', '--step-duration', '1s',
      '--body', '{"room_id":1}', '--header', 'content-type: application/json', '--header', 'X-Trace:abc',
    ]);
    expect(result.code).toBe(0);
    expect(seen).toMatchObject({ method: 'POST', body: '{"room_id":1}', headers: { 'content-type': 'application/json', 'x-trace': 'abc' } });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`closed-loop probe of POST ${url}, 1 s per level; SLO: p99 ≤ 200 ms, errors ≤ 1%`);
    expect(lines[1]).toMatch(/^ {2}concurrency {2,}throughput +p50 +p99 +errors$/);
    expect(lines[2]).toMatch(/^ {2}1 {2,}[\d.]+ req\/s +\d+ ms +\d+ ms +0% {2}meets$/);
    expect(lines[3]).toMatch(/^ {2}2 {2,}[\d.]+ req\/s +\d+ ms +\d+ ms +0% {2}meets$/);
    expect(result.stdout).toMatch(/^knee: concurrency 2, [\d.]+ req\/s, p99 \d+ ms$/m);
    expect(result.stdout).toContain('USL fit skipped: it needs ≥ 3 levels (better 6), 2 levels measured\n');
    expect(result.stdout).toMatch(/\nper_instance_qps: \d+ {3}# probe knee at concurrency 2, p99 \d+ ms\n$/);
    expect(result.stderr).not.toContain('warning');
  });

  it('exits 1 when no level meets the SLO', async () => {
    const { url } = await slotServer(1, 30);
    const result = await runCli(['probe', '--url', url, '--concurrency', '1', '--step-duration', '1s', '--slo-p99', '10']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}1 {2,}.* {2}p99 \d+ ms > 10 ms$/m);
    expect(result.stdout).toContain('knee: none — no level meets p99 ≤ 10 ms with errors ≤ 1%\n');
    expect(result.stdout).not.toContain('per_instance_qps');
  });

  it('exits 3 at once when nothing listens at the URL', async () => {
    const port = await closedPort();
    const started = Date.now();
    const result = await runCli(['probe', '--url', `http://127.0.0.1:${port}/`, '--concurrency', '1,2', '--step-duration', '10s']);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`live-assure: cannot reach http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}\nhint: is the service listening at --url?\n`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('exits 3 when the first level gets no 2xx at all', async () => {
    const { url } = await slotServer(8, 1, 404);
    const result = await runCli(['probe', '--url', url, '--concurrency', '1,2', '--step-duration', '10s']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^live-assure: ${url} answered no request with a 2xx at concurrency 1: 404 × \\d+\\nhint: check --url`));
  });

  it('on Ctrl-C stops the running level, reports the levels measured so far and exits 130', async () => {
    const { url } = await slotServer(8, 5);
    const controller = new AbortController();
    const base = createTestIo();
    let stderr = '';
    const io = {
      ...base,
      signal: controller.signal,
      // Ctrl-C shortly after the first level finished, while the second runs.
      stderr: { write: (chunk: string) => ((stderr += chunk), setTimeout(() => controller.abort('SIGINT'), 200), true) },
    };
    const started = Date.now();
    const code = await main(['probe', '--url', url, '--concurrency', '1,2,4', '--step-duration', '1s', '--json'], io);
    expect(code).toBe(130);
    expect(Date.now() - started).toBeLessThan(2000);
    const json = JSON.parse(base.out()) as ProbeJson;
    expect(json.levels.map((level) => level.concurrency)).toEqual([1]);
    expect(json.interrupted_at).toBe(2);
    expect(json.knee?.concurrency).toBe(1);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it.each([
    [['--url', 'localhost:8080'], '--url: expected an http:// or https:// URL, got "localhost:8080"'],
    [['--url', 'ftp://example.com/'], '--url: expected an http:// or https:// URL, got "ftp://example.com/"'],
    [['--concurrency', '1,x'], '--concurrency: expected whole numbers ≥ 1 separated by commas (e.g. 1,2,4,8), got "1,x"'],
    [['--concurrency', '0,1'], '--concurrency: expected whole numbers ≥ 1 separated by commas (e.g. 1,2,4,8), got "0,1"'],
    [['--concurrency', '1,2.5'], '--concurrency: expected whole numbers ≥ 1 separated by commas (e.g. 1,2,4,8), got "1,2.5"'],
    [['--concurrency', '1,,2'], '--concurrency: expected whole numbers ≥ 1 separated by commas (e.g. 1,2,4,8), got "1,,2"'],
    [['--concurrency', '1,8,4'], '--concurrency: levels must be strictly increasing, got 4 after 8'],
    [['--concurrency', '2,2'], '--concurrency: levels must be strictly increasing, got 2 after 2'],
    [['--concurrency', '1,20000'], '--concurrency: at most 10000 connections per level, got 20000'],
    [['--step-duration', '500ms'], '--step-duration: expected a duration from 1s to 1h (e.g. "10s"), got "500ms"'],
    [['--step-duration', '10'], '--step-duration: expected a duration from 1s to 1h (e.g. "10s"), got "10"'],
    [['--slo-p99', 'fast'], '--slo-p99: expected a positive duration like "200ms", got "fast"'],
    [['--slo-p99', '0ms'], '--slo-p99: expected a positive duration like "200ms", got "0ms"'],
    [['--method', 'GE T'], '--method: expected one of GET, POST, PUT, PATCH, DELETE, HEAD, got "GE T"'],
    [['--method', 'FOO'], '--method: expected one of GET, POST, PUT, PATCH, DELETE, HEAD, got "FOO"'],
    [['--header', 'novalue'], '--header: expected "name: value", got "novalue"'],
    [['--header', 'bad name: x'], '--header: expected "name: value", got "bad name: x"'],
  ])('rejects %j with one line naming the flag, before sending anything', async (bad, message) => {
    const flags: Record<string, string> = { '--url': 'http://127.0.0.1:9/', '--concurrency': '1,2' };
    const [flag = '', value = ''] = bad;
    flags[flag] = value;
    const result = await runCli(['probe', ...Object.entries(flags).flat()]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`live-assure: ${message}\n`);
  });

  it('needs --url and --concurrency', async () => {
    const result = await runCli(['probe', '--concurrency', '1,2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--url <url>' not specified");
  });
});
