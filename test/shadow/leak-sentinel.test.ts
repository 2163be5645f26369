import { describe, expect, it, vi } from 'vitest';
import { closeIsolationStores, connectIsolationStores } from '../../src/shadow/isolation-stores.js';
import type { LeakHit } from '../../src/shadow/leak-evidence.js';
import { LeakSentinel, type SentinelOptions } from '../../src/shadow/leak-sentinel.js';
import type { WriteRecord } from '../../src/shadow/write-record.js';
import { isolationStoreOn, startRedis, usePrivateRedis } from '../helpers/redis-server.js';

const MARKER = 'la~run-1~3.0';
const UID = '9000012345';

const redis = usePrivateRedis();
const store = isolationStoreOn(redis);

const record = (key: string, tokens: string[] = [MARKER, UID], step = 'send'): WriteRecord => ({ step, keys: [{ store: 'r', key }], tokens });

/** A sentinel on the test store whose callbacks are spies. */
function sentinel(everyMs: number, options: Partial<SentinelOptions> = {}) {
  const onLeak = vi.fn<(hits: LeakHit[]) => void>();
  const onCheckFailed = vi.fn<(message: string) => void>();
  const abort = vi.fn<(expr: string) => void>();
  const watching = new LeakSentinel({ stores: [store], everyMs, onLeak, onCheckFailed, ...options });
  return { watching, onLeak, onCheckFailed, abort };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('LeakSentinel', () => {
  it('finds a run\'s token in a production key: tells onLeak and aborts once, with the evidence', async () => {
    await redis.raw.rpush('danmaku:7', JSON.stringify({ msg: `hello ${MARKER}` }));
    await redis.raw.rpush('shadow:danmaku:8', JSON.stringify({ msg: `hello ${MARKER}` }));
    const { watching, onLeak, abort } = sentinel(20);
    watching.start(abort);
    watching.writes([record('danmaku:7'), record('danmaku:8')], 2);
    await vi.waitFor(() => expect(abort).toHaveBeenCalled(), { timeout: 2000, interval: 10 });
    // More leaking writes and more ticks: the run is already being stopped, once is enough.
    watching.writes([record('danmaku:7')], 1);
    await pause(100);
    await watching.stop();

    expect(abort).toHaveBeenCalledTimes(1);
    expect(abort.mock.calls[0]?.[0]).toBe(`shadow leak: send wrote ${MARKER} into production key danmaku:7 (list, list element 0) of store r: ${JSON.stringify(JSON.stringify({ msg: `hello ${MARKER}` }))}`);
    expect(onLeak).toHaveBeenCalledTimes(1);
    expect(onLeak.mock.calls[0]?.[0]).toEqual([{ store: 'r', key: 'danmaku:7', type: 'list', token: MARKER, where: 'list element 0', excerpt: `{"msg":"hello ${MARKER}"}`, step: 'send' }]);
    expect(watching.stats.hits).toHaveLength(1);
  });

  it('does not abort when the tokens are only in shadow keys, though it checked the production keys', async () => {
    await redis.raw.rpush('shadow:danmaku:7', `hello ${MARKER} from ${UID}`);
    await redis.raw.rpush('danmaku:7', 'hello from a real user 1234');
    const { watching, onLeak, onCheckFailed, abort } = sentinel(20);
    watching.start(abort);
    watching.writes([record('danmaku:7'), record('danmaku:9')], 5);
    await vi.waitFor(() => expect(watching.stats.checks).toBeGreaterThan(0), { timeout: 2000, interval: 10 });
    await watching.stop();
    expect(abort).not.toHaveBeenCalled();
    expect(onLeak).not.toHaveBeenCalled();
    expect(onCheckFailed).not.toHaveBeenCalled();
    expect(watching.stats).toMatchObject({ writes_seen: 5, writes_checked: 2, keys_checked: 2, hits: [], failed_checks: 0 });
  });

  it('checks what is still pending when stopped, before the next tick would have', async () => {
    await redis.raw.hset('viewers:7', UID, '1');
    const { watching, onLeak, abort } = sentinel(60_000);
    watching.start(abort);
    watching.writes([record('viewers:7')], 1);
    expect(watching.stats.checks).toBe(0);
    await watching.stop();
    expect(watching.stats.checks).toBe(1);
    expect(onLeak).toHaveBeenCalledTimes(1);
    expect(onLeak.mock.calls[0]?.[0]).toEqual([expect.objectContaining({ key: 'viewers:7', type: 'hash', token: UID, where: 'hash field' })]);
    expect(abort).toHaveBeenCalledWith(expect.stringMatching(/^shadow leak: send wrote 9000012345 into production key viewers:7 \(hash, hash field\)/));
  });

  it('reports a check it could not make when its Redis goes away, counts it, and does not throw', async () => {
    const doomed = await startRedis();
    const stores = await connectIsolationStores([{ name: 'r', url: doomed.url, prefix: 'shadow:' }]);
    try {
      const { watching, onLeak, onCheckFailed, abort } = sentinel(20, { stores });
      watching.start(abort);
      await doomed.stop();
      watching.writes([record('danmaku:7')], 1);
      await vi.waitFor(() => expect(onCheckFailed).toHaveBeenCalled(), { timeout: 5000, interval: 10 });
      watching.writes([record('danmaku:8')], 1);
      await expect(watching.stop()).resolves.toBeUndefined();
      expect(onCheckFailed.mock.calls[0]?.[0]).toMatch(/^the leak sentinel could not check production keys: \S/);
      expect(watching.stats.failed_checks).toBe(onCheckFailed.mock.calls.length);
      expect(watching.stats.failed_checks).toBeGreaterThanOrEqual(2);
      expect(onLeak).not.toHaveBeenCalled();
      expect(abort).not.toHaveBeenCalled();
    } finally {
      closeIsolationStores(stores);
      await doomed.stop();
    }
  });

  it('keeps at most 500 writes for the audit, drawn uniformly over the whole run', () => {
    const { watching } = sentinel(60_000);
    const total = 10_000;
    // As generators report: up to 16 sampled records a second, each standing for many writes.
    for (let first = 0; first < total; first += 16) {
      const batch = Array.from({ length: Math.min(16, total - first) }, (_, offset) => record(`danmaku:${first + offset}`));
      watching.writes(batch, batch.length * 50);
    }
    const sample = watching.sample;
    expect(sample).toHaveLength(500);
    expect(watching.stats.writes_seen).toBe(total * 50);
    const positions = sample.map((written) => Number(written.keys[0]?.key.split(':')[1]));
    expect(new Set(positions).size).toBe(500);
    const share = (from: number, to: number): number => positions.filter((position) => position >= from && position < to).length / positions.length;
    // Uniform: each tenth of the run holds about a tenth of the sample (± 5 standard deviations).
    for (let tenth = 0; tenth < 10; tenth += 1) {
      expect(share(tenth * 1000, (tenth + 1) * 1000)).toBeGreaterThan(0.03);
      expect(share(tenth * 1000, (tenth + 1) * 1000)).toBeLessThan(0.17);
    }
  });

  it('samples uniformly when each record is one write too', () => {
    const { watching } = sentinel(60_000);
    for (let first = 0; first < 10_000; first += 100) {
      watching.writes(Array.from({ length: 100 }, (_, offset) => record(`danmaku:${first + offset}`)), 100);
    }
    const positions = watching.sample.map((written) => Number(written.keys[0]?.key.split(':')[1]));
    expect(positions).toHaveLength(500);
    expect(positions.filter((position) => position < 5000).length / 500).toBeGreaterThan(0.35);
    expect(positions.filter((position) => position < 5000).length / 500).toBeLessThan(0.65);
  });
});
