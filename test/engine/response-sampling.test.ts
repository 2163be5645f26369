import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runLoad, type GeneratorMode } from '../../src/engine/create-run.js';
import { createHttpTransport, type HttpResponse } from '../../src/engine/http-transport.js';
import type { LoadPlan } from '../../src/engine/load-plan.js';
import type { ResponseSample } from '../../src/engine/response-sample.js';
import type { RunSummary } from '../../src/engine/run-events.js';
import { closeServers } from '../helpers/close-servers.js';
import { step, testPlan } from '../helpers/load-plans.js';

const servers: Server[] = [];
afterEach(() => closeServers(servers));

// A body past 4 KiB whose 4096th byte falls inside a two-byte character.
const BIG_BODY = `a${'é'.repeat(3000)}`;

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? (address satisfies AddressInfo).port : 0}`;
}

/** room-info with a degraded-mode header (and a repeated one), a big body, and a plain answer; requests counted by path. */
async function platform(): Promise<{ origin: string; seen: Map<string, number> }> {
  const seen = new Map<string, number>();
  const origin = await listen(
    createServer((request, response) => {
      const path = request.url ?? '';
      seen.set(path, (seen.get(path) ?? 0) + 1);
      request.resume();
      if (path === '/info') {
        response.writeHead(200, ['Content-Type', 'application/json', 'X-Degraded', 'room-info-local-cache', 'X-Tag', 'a', 'X-Other', 'not asked', 'x-TAG', 'b']);
        response.end('{"room":1}');
      } else if (path === '/big') response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-degraded': 'no' }).end(BIG_BODY);
      else response.writeHead(200, { 'x-degraded': 'plain' }).end('ok');
    }),
  );
  return { origin, seen };
}

/** A room-info journey: the first two steps sampled (header names in mixed case), the third not. */
function sampledPlan(origin: string, overrides: Partial<LoadPlan> & { rate?: number } = {}): LoadPlan {
  return testPlan({
    target: origin,
    rate: 50,
    durationMs: 1000,
    journeys: [{ name: 'room', weight: 1, steps: [step('info'), step('big'), step('plain')] }],
    sampleResponses: { info: { headers: ['X-Degraded', 'x-tag', 'X-TAG', 'x-absent'], body: false }, big: { headers: [], body: true } },
    ...overrides,
  });
}

async function sampleRun(plan: LoadPlan, mode: GeneratorMode): Promise<{ summary: RunSummary; calls: Array<{ samples: ResponseSample[]; seen: number }> }> {
  const calls: Array<{ samples: ResponseSample[]; seen: number }> = [];
  const summary = await runLoad(plan, { sinks: [], mode, now: Date.now, onResponses: (samples, seen) => calls.push({ samples, seen }) });
  return { summary, calls };
}

function expectRoomInfoSamples(calls: Array<{ samples: ResponseSample[]; seen: number }>, seen: Map<string, number>, durationMs: number): void {
  const samples = calls.flatMap((call) => call.samples);
  expect(calls.reduce((sum, call) => sum + call.seen, 0)).toBe((seen.get('/info') ?? 0) + (seen.get('/big') ?? 0));
  expect(samples).toHaveLength(calls.reduce((sum, call) => sum + call.seen, 0));
  expect(new Set(samples.map((sample) => sample.endpoint))).toEqual(new Set(['info', 'big']));
  for (const sample of samples) {
    expect(sample.second).toBeGreaterThanOrEqual(0);
    expect(sample.second).toBeLessThanOrEqual(durationMs / 1000);
    expect(Number.isInteger(sample.second)).toBe(true);
    if (sample.endpoint === 'info') expect(sample).toEqual({ endpoint: 'info', second: sample.second, status: 200, headers: { 'x-degraded': 'room-info-local-cache', 'x-tag': 'a, b' } });
    else {
      expect(sample).toEqual({ endpoint: 'big', second: sample.second, status: 200, headers: {}, body: `a${'é'.repeat(2047)}` });
      expect(Buffer.byteLength(sample.body ?? '')).toBe(4095);
    }
  }
}

describe('response sampling on the main thread', () => {
  test('samples only the named steps, with only the headers asked for (any case, repeats joined) and bodies cut at 4 KiB where asked', async () => {
    const { origin, seen } = await platform();
    const { summary, calls } = await sampleRun(sampledPlan(origin), { kind: 'main-thread' });
    expect(summary.errors).toBe(0);
    expect(seen.get('/info')).toBe(50);
    expect(seen.get('/plain')).toBe(50);
    expectRoomInfoSamples(calls, seen, 1000);
  });

  test('a failed request is sampled with status null: refused, and timed out', async () => {
    const closed = await listen(createServer());
    await closeServers(servers);
    const silent = await listen(createServer(() => undefined));
    const plan = (target: string): LoadPlan =>
      testPlan({ target, rate: 10, durationMs: 500, journeys: [{ name: 'j', weight: 1, steps: [step('info', { timeoutMs: 200 })] }], sampleResponses: { info: { headers: ['x-degraded'], body: true } } });
    for (const target of [closed, silent]) {
      const { summary, calls } = await sampleRun(plan(target), { kind: 'main-thread' });
      expect(summary.errors).toBe(5);
      expect(calls.reduce((sum, call) => sum + call.seen, 0)).toBe(5);
      for (const sample of calls.flatMap((call) => call.samples)) expect(sample).toEqual({ endpoint: 'info', second: 0, status: null, headers: {} });
    }
  });

  test('the sample of a report holds at most 256 responses; the count is of all of them', async () => {
    const { origin, seen } = await platform();
    const plan = sampledPlan(origin, { rate: 800, journeys: [{ name: 'room', weight: 1, steps: [step('info'), step('plain')] }] });
    const { calls } = await sampleRun(plan, { kind: 'main-thread' });
    expect(calls.reduce((sum, call) => sum + call.seen, 0)).toBe(800);
    expect(seen.get('/info')).toBe(800);
    for (const call of calls) expect(call.samples).toHaveLength(Math.min(256, call.seen));
    expect(Math.max(...calls.map((call) => call.seen))).toBeGreaterThan(256);
  });

  test('a plan that samples nothing reports nothing, and its responses carry no headers', async () => {
    const { origin } = await platform();
    const plan = sampledPlan(origin);
    delete plan.sampleResponses;
    const { summary, calls } = await sampleRun(plan, { kind: 'main-thread' });
    expect(summary.requests).toBe(150);
    expect(calls).toEqual([]);
    const { calls: emptyCalls } = await sampleRun({ ...plan, sampleResponses: {} }, { kind: 'main-thread' });
    expect(emptyCalls).toEqual([]);

    const transport = createHttpTransport({ connections: 1, connectTimeoutMs: 1000 });
    const get = (readHeaders?: readonly string[]): Promise<HttpResponse | undefined> =>
      new Promise((resolve) => transport.send({ origin, path: '/info', method: 'GET', headers: [], body: undefined, timeoutMs: 2000, readBody: false, ...(readHeaders === undefined ? {} : { readHeaders }) }, (_, response) => resolve(response)));
    expect(await get()).toEqual({ status: 200, body: undefined });
    expect(await get(['x-tag'])).toEqual({ status: 200, body: undefined, headers: { 'x-tag': 'a, b' } });
    await transport.close();
  });
});

describe('response sampling on worker threads', () => {
  beforeAll(() => {
    if (!existsSync(fileURLToPath(new URL('../../dist/engine/generator-thread.js', import.meta.url)))) throw new Error('dist/ is missing: run `npm run build` before this test (the threads load it)');
  });

  test('each thread samples its share; every report that saw responses reaches onResponses', async () => {
    const { origin, seen } = await platform();
    const { summary, calls } = await sampleRun(sampledPlan(origin, { rate: 100 }), { kind: 'threads', workers: 2 });
    expect(summary.errors).toBe(0);
    expect(seen.get('/info')).toBe(100);
    expectRoomInfoSamples(calls, seen, 1000);
    expect(calls.reduce((sum, call) => sum + call.seen, 0)).toBe(200);
  });
});
