import { describe, expect, it } from 'vitest';
import { runAction } from '../../../src/sops/actions/run-action.js';
import { runStep } from '../../../src/sops/actions/run-step.js';
import { usePrivateRedis } from '../../helpers/redis-server.js';
import { parseAction, parseStep, testContext } from './action-fixtures.js';

const redis = usePrivateRedis();

describe('redis actions', () => {
  it('SETs with PX, DELs, and HSETs then PEXPIREs, on the step URL or the default one', async () => {
    const ctx = testContext({ defaultRedisUrl: redis.url });
    const set = await runAction(parseAction({ redis: { set: { key: 'degrade:gift', value: 1, ttl: '30m' } } }), ctx);
    expect(set).toMatchObject({ ok: true, summary: `SET degrade:gift "1" PX 1800000 → OK (${redis.url})` });
    expect(await redis.raw.get('degrade:gift')).toBe('1');
    expect(await redis.raw.pttl('degrade:gift')).toBeGreaterThan(1_790_000);

    const hset = await runAction(parseAction({ redis: { url: redis.url, hset: { key: 'flags', field: 'gift-panel', value: 'static', ttl: '1m' } } }), testContext());
    expect(hset).toMatchObject({ ok: true, summary: `HSET flags gift-panel "static"; PEXPIRE flags 60000 → 1, 1 (${redis.url})` });
    expect(await redis.raw.hget('flags', 'gift-panel')).toBe('static');
    expect(await redis.raw.pttl('flags')).toBeGreaterThan(59_000);

    expect(await runAction(parseAction({ redis: { del: { key: 'degrade:gift' } } }), ctx)).toMatchObject({ ok: true, summary: `DEL degrade:gift → 1 (${redis.url})` });
    expect(await redis.raw.exists('degrade:gift')).toBe(0);
  });

  it('fails clearly with no Redis to change, and fast when Redis is not there', async () => {
    const none = await runAction(parseAction({ redis: { set: { key: 'k', value: 'v' } } }), testContext());
    expect(none).toMatchObject({ ok: false, summary: 'SET k "v": no Redis to change: give redis.url (this target\'s own Redis is not known)' });

    const started = performance.now();
    const down = await runAction(parseAction({ redis: { url: 'redis://127.0.0.1:1', set: { key: 'k', value: 'v' } } }), testContext());
    expect(down.ok).toBe(false);
    expect(down.summary).toMatch(/^SET k "v": cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*ECONNREFUSED/);
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it('refuses an HSET on a key of another type before changing anything', async () => {
    await redis.raw.set('flags', 'plain', 'PX', 50_000);
    const outcome = await runAction(parseAction({ redis: { url: redis.url, hset: { key: 'flags', field: 'f', value: 'v', ttl: '1s' } } }), testContext());
    expect(outcome).toMatchObject({ ok: false, summary: `HSET flags f "v"; PEXPIRE flags 1000: flags holds a string, not a hash: HSET would fail (${redis.url})` });
    expect(await redis.raw.pttl('flags')).toBeGreaterThan(49_000);
  });
});

describe('undo: restore-previous', () => {
  it('puts a string back with the TTL it had left', async () => {
    await redis.raw.set('degrade:gift', 'old', 'PX', 60_000);
    const { outcome, undo } = await runStep(parseStep({ redis: { url: redis.url, set: { key: 'degrade:gift', value: 'new', ttl: '30m' } }, undo: 'restore-previous' }), testContext());
    expect(outcome.ok).toBe(true);
    expect(await redis.raw.get('degrade:gift')).toBe('new');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const restored = await undo?.();
    expect(restored?.ok).toBe(true);
    expect(restored?.summary).toMatch(/^restored degrade:gift to "old" \(PX 59\d{3}: the TTL it had left\)/);
    expect(await redis.raw.get('degrade:gift')).toBe('old');
    const pttl = await redis.raw.pttl('degrade:gift');
    // Counted down while the step was in force: ≈ 60 s − 200 ms, never the full 60 s again.
    expect(pttl).toBeLessThanOrEqual(59_800);
    expect(pttl).toBeGreaterThan(59_000);
  });

  it('puts a string without TTL back without one, and a deleted hash back whole', async () => {
    await redis.raw.set('plain', 'v1');
    const plain = await runStep(parseStep({ redis: { url: redis.url, set: { key: 'plain', value: 'v2', ttl: '1m' } }, undo: 'restore-previous' }), testContext());
    await plain.undo?.();
    expect(await redis.raw.get('plain')).toBe('v1');
    expect(await redis.raw.pttl('plain')).toBe(-1);

    await redis.raw.hset('room:7734', { title: 'final', viewers: '3000000' });
    await redis.raw.pexpire('room:7734', 90_000);
    const deleted = await runStep(parseStep({ redis: { url: redis.url, del: { key: 'room:7734' } }, undo: 'restore-previous' }), testContext());
    expect(await redis.raw.exists('room:7734')).toBe(0);
    expect((await deleted.undo?.())?.summary).toMatch(/^restored room:7734 \(a hash\)/);
    expect(await redis.raw.hgetall('room:7734')).toEqual({ title: 'final', viewers: '3000000' });
    expect(await redis.raw.pttl('room:7734')).toBeGreaterThan(89_000);
  });

  it('deletes a key that did not exist before the step', async () => {
    const { undo } = await runStep(parseStep({ redis: { url: redis.url, set: { key: 'degrade:new', value: '1', ttl: '30m' } }, undo: 'restore-previous' }), testContext());
    expect(await redis.raw.exists('degrade:new')).toBe(1);
    expect(await undo?.()).toMatchObject({ ok: true, summary: `deleted degrade:new (it did not exist before) (${redis.url})` });
    expect(await redis.raw.exists('degrade:new')).toBe(0);
  });

  it('puts a hash field back, and the TTL of its key', async () => {
    await redis.raw.hset('flags', { 'gift-panel': 'live', other: 'x' });
    await redis.raw.pexpire('flags', 120_000);
    const step = parseStep({ redis: { url: redis.url, hset: { key: 'flags', field: 'gift-panel', value: 'static', ttl: '10m' } }, undo: 'restore-previous' });
    const { undo } = await runStep(step, testContext());
    expect(await redis.raw.hget('flags', 'gift-panel')).toBe('static');
    expect(await redis.raw.pttl('flags')).toBeGreaterThan(590_000);
    expect((await undo?.())?.summary).toMatch(/^restored field gift-panel of flags to "live", key \(PX 1\d{5}: the TTL it had left\)/);
    expect(await redis.raw.hgetall('flags')).toEqual({ 'gift-panel': 'live', other: 'x' });
    expect(await redis.raw.pttl('flags')).toBeLessThanOrEqual(120_000);
    expect(await redis.raw.pttl('flags')).toBeGreaterThan(119_000);
  });

  it('removes a hash field that was absent, leaving the key without TTL as it was', async () => {
    await redis.raw.hset('flags', 'other', 'x');
    const { undo } = await runStep(parseStep({ redis: { url: redis.url, hset: { key: 'flags', field: 'gift-panel', value: 'static', ttl: '10m' } }, undo: 'restore-previous' }), testContext());
    expect((await undo?.())?.summary).toBe(`removed field gift-panel of flags (it did not exist before), key without TTL as before (${redis.url})`);
    expect(await redis.raw.hgetall('flags')).toEqual({ other: 'x' });
    expect(await redis.raw.pttl('flags')).toBe(-1);

    const fresh = await runStep(parseStep({ redis: { url: redis.url, hset: { key: 'absent', field: 'f', value: 'v', ttl: '10m' } }, undo: 'restore-previous' }), testContext());
    await fresh.undo?.();
    expect(await redis.raw.exists('absent')).toBe(0);
  });

  it('returns no undo when nothing reached Redis', async () => {
    const { outcome, undo } = await runStep(parseStep({ redis: { url: 'redis://127.0.0.1:1', set: { key: 'k', value: 'v' } }, undo: 'restore-previous' }), testContext());
    expect(outcome.ok).toBe(false);
    expect(undo).toBeUndefined();
  });
});
