import { describe, expect, it } from 'vitest';
import { pollHttp } from '../../../src/sops/actions/poll-http.js';
import { runAction } from '../../../src/sops/actions/run-action.js';
import { parseAction, testContext, useHttpServers } from './action-fixtures.js';

const startHttp = useHttpServers();

/** A health endpoint that answers 200 for its first `healthy` requests, then 503. */
function degradesAfter(healthy: number) {
  let count = 0;
  return startHttp((_request, response) => {
    count += 1;
    response.writeHead(count > healthy ? 503 : 200).end(count > healthy ? 'degraded' : 'ok');
  });
}

describe('wait_until', () => {
  it('polls every interval until the expectation holds, and says when', async () => {
    const server = await degradesAfter(2);
    const started = performance.now();
    const outcome = await runAction(parseAction({ wait_until: { http: { GET: '/healthz', expect: { status: 503 } }, every: '100ms', within: '3s' } }), testContext({ target: server.url }));
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toMatch(/^GET \/healthz → 503: held after \d+ ms \(3 attempts\)$/);
    expect(server.seen).toHaveLength(3);
    // Never a blind sleep: two intervals, not the whole bound.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('fails after `within`, saying what the last attempt got', async () => {
    const server = await degradesAfter(1000);
    const started = performance.now();
    const outcome = await runAction(parseAction({ wait_until: { http: { GET: '/healthz', expect: { status: 503 } }, every: '100ms', within: '450ms' } }), testContext({ target: server.url }));
    expect(outcome).toMatchObject({ ok: false, output: 'ok' });
    expect(outcome.summary).toBe('not met within 450 ms (5 attempts); last: expected status 503, got 200 (GET /healthz)');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('gives metAt when the poll first held', async () => {
    const server = await degradesAfter(1);
    const call = parseAction({ http: { GET: '/healthz', expect: { status: 503 } } }).http;
    if (call === undefined) throw new Error('no http call');
    const before = performance.now();
    const { outcome, metAt } = await pollHttp(call, 50, 2000, testContext({ target: server.url }));
    expect(outcome.ok).toBe(true);
    expect(metAt).toBeGreaterThan(before);
    expect(metAt).toBeLessThanOrEqual(outcome.endedAt);
  });

  it('stops at once when the signal aborts mid-poll, and says it was interrupted', async () => {
    const server = await degradesAfter(1000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 250);
    const started = performance.now();
    const outcome = await runAction(parseAction({ wait_until: { http: { GET: '/healthz', expect: { status: 503 } }, every: '1s', within: '30s' } }), testContext({ target: server.url, signal: controller.signal }));
    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toBe('interrupted while waiting (1 attempt); last: expected status 503, got 200 (GET /healthz)');
    expect(performance.now() - started).toBeLessThan(600);
  });
});

describe('manual steps', () => {
  const manual = (extra: Record<string, unknown> = {}) => parseAction({ manual: { prompt: 'Announce degraded mode in the war room?', timeout: '2m', ...extra } });

  it('take their default at once in CI, and say so', async () => {
    const started = performance.now();
    expect(await runAction(manual(), testContext())).toMatchObject({ ok: true, summary: 'default in CI: continue', output: 'Announce degraded mode in the war room?' });
    const aborted = await runAction(manual({ default: 'abort' }), testContext());
    expect(aborted).toMatchObject({ ok: true, abort: true, summary: 'default in CI: abort' });
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('ask the person, with the step timeout, and take what they answer', async () => {
    const asked: Array<{ prompt: string; timeoutMs: number }> = [];
    const ask = async (prompt: string, timeoutMs: number): Promise<'continue' | 'abort' | undefined> => {
      asked.push({ prompt, timeoutMs });
      return 'abort';
    };
    const outcome = await runAction(manual(), testContext({ ask }));
    expect(outcome).toMatchObject({ ok: true, abort: true, summary: 'answered: abort' });
    expect(asked).toEqual([{ prompt: 'Announce degraded mode in the war room?', timeoutMs: 120_000 }]);
    expect((await runAction(manual(), testContext({ ask: async () => 'continue' }))).summary).toBe('answered: continue');
  });

  it('take the default when nobody answers in time', async () => {
    const outcome = await runAction(manual({ timeout: '100ms', default: 'abort' }), testContext({ ask: async () => undefined }));
    expect(outcome).toMatchObject({ ok: true, abort: true, summary: 'no answer within 100 ms, default: abort' });
    // A prompt that ignores its timeout is still bounded by the step's.
    const forgetful = await runAction(manual({ timeout: '100ms' }), testContext({ ask: () => new Promise(() => undefined) }));
    expect(forgetful.summary).toBe('no answer within 100 ms, default: continue');
  });

  it('are interrupted by the signal while waiting for an answer', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const outcome = await runAction(manual(), testContext({ signal: controller.signal, ask: () => new Promise(() => undefined) }));
    expect(outcome).toMatchObject({ ok: false, summary: 'interrupted while waiting for an answer' });
  });
});
