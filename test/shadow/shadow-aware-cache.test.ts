import { describe, expect, it } from 'vitest';
import { createShadowAwareCache, runAsProduction, runInShadow } from '../../src/shadow/index.js';

const inRun = <T>(runId: string, fn: () => T): T => runInShadow({ runId, via: 'header' }, fn);

/** A clock the test moves by hand. */
function manualClock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('createShadowAwareCache: segments', () => {
  it('keeps shadow from reading a production entry and production from reading a shadow entry', () => {
    const cache = createShadowAwareCache<string>();
    cache.set('room:1', 'production');
    expect(inRun('run-1', () => cache.get('room:1'))).toBeUndefined();
    inRun('run-1', () => cache.set('room:2', 'shadow'));
    expect(cache.get('room:2')).toBeUndefined();
    expect(cache.get('room:1')).toBe('production');
  });

  it('does not let a shadow set, overwrite or delete change the production entry', () => {
    const cache = createShadowAwareCache<string>();
    cache.set('k', 'production');
    inRun('run-1', () => {
      cache.set('k', 'shadow');
      expect(cache.get('k')).toBe('shadow');
      cache.set('k', 'shadow-2');
      expect(cache.get('k')).toBe('shadow-2');
    });
    expect(cache.get('k')).toBe('production');
    expect(inRun('run-1', () => cache.delete('k'))).toBe(true);
    expect(inRun('run-1', () => cache.delete('k'))).toBe(false);
    expect(cache.get('k')).toBe('production');
    expect(cache.delete('k')).toBe(true);
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps different runs apart', () => {
    const cache = createShadowAwareCache<number>();
    inRun('run-a', () => cache.set('k', 1));
    inRun('run-b', () => cache.set('k', 2));
    expect(inRun('run-a', () => cache.get('k'))).toBe(1);
    expect(inRun('run-b', () => cache.get('k'))).toBe(2);
    expect(inRun('run-c', () => cache.get('k'))).toBeUndefined();
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('cannot be fooled by keys or run ids that look like another segment', () => {
    const cache = createShadowAwareCache<string>();
    // Keys containing the separator, or a run id + key that concatenate to the same text.
    inRun('a', () => cache.set('b:c', 'run a'));
    inRun('a:b', () => cache.set('c', 'run a:b'));
    cache.set('s\u0000a\u0000b:c', 'production');
    expect(inRun('a', () => cache.get('b:c'))).toBe('run a');
    expect(inRun('a:b', () => cache.get('c'))).toBe('run a:b');
    expect(inRun('a:b', () => cache.get('b:c'))).toBeUndefined();
    expect(cache.get('b:c')).toBeUndefined();
    expect(cache.get('s\u0000a\u0000b:c')).toBe('production');
    cache.clearShadow();
    expect(cache.get('s\u0000a\u0000b:c')).toBe('production');
    expect(cache.size).toBe(1);
  });

  it('follows the context of each call, also after awaits and in runAsProduction inside a shadow run', async () => {
    const cache = createShadowAwareCache<string>();
    await inRun('run-1', async () => {
      await Promise.resolve();
      cache.set('k', 'shadow');
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(cache.get('k')).toBe('shadow');
      runAsProduction(() => cache.set('k', 'production'));
      expect(cache.get('k')).toBe('shadow');
    });
    expect(cache.get('k')).toBe('production');
  });

  it('stores falsy values as values', () => {
    const cache = createShadowAwareCache<number | null | string>();
    cache.set('zero', 0);
    cache.set('null', null);
    cache.set('empty', '');
    expect(cache.get('zero')).toBe(0);
    expect(cache.get('null')).toBeNull();
    expect(cache.get('empty')).toBe('');
  });
});

describe('createShadowAwareCache: TTL', () => {
  it('serves an entry until ttlMs has passed, then forgets it', () => {
    const clock = manualClock();
    const cache = createShadowAwareCache<string>({ ttlMs: 100, now: clock.now });
    cache.set('k', 'v');
    clock.advance(99);
    expect(cache.get('k')).toBe('v');
    clock.advance(1);
    expect(cache.get('k')).toBeUndefined();
    // The expired entry is gone, not just hidden.
    expect(cache.size).toBe(0);
  });

  it('does not extend the lifetime on get, but does on set', () => {
    const clock = manualClock();
    const cache = createShadowAwareCache<string>({ ttlMs: 100, now: clock.now });
    cache.set('k', 'v1');
    clock.advance(60);
    expect(cache.get('k')).toBe('v1');
    clock.advance(60);
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', 'v2');
    clock.advance(60);
    cache.set('k', 'v3');
    clock.advance(60);
    expect(cache.get('k')).toBe('v3');
  });

  it('expires shadow and production entries each by their own write time', () => {
    const clock = manualClock();
    const cache = createShadowAwareCache<string>({ ttlMs: 50, now: clock.now });
    cache.set('k', 'production');
    clock.advance(30);
    inRun('run-1', () => cache.set('k', 'shadow'));
    clock.advance(30);
    expect(cache.get('k')).toBeUndefined();
    expect(inRun('run-1', () => cache.get('k'))).toBe('shadow');
  });

  it('keeps entries forever without ttlMs', () => {
    const clock = manualClock();
    const cache = createShadowAwareCache<string>({ now: clock.now });
    cache.set('k', 'v');
    clock.advance(10 ** 12);
    expect(cache.get('k')).toBe('v');
  });
});

describe('createShadowAwareCache: LRU', () => {
  it('evicts the least recently written entry first', () => {
    const cache = createShadowAwareCache<number>({ maxEntries: 3 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    cache.set('d', 4);
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((key) => cache.get(key))).toEqual([undefined, 2, 3, 4]);
  });

  it('lets get refresh recency, so the entry read last survives', () => {
    const cache = createShadowAwareCache<number>({ maxEntries: 3 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1);
    cache.set('d', 4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    cache.set('e', 5);
    expect(cache.get('c')).toBeUndefined();
    expect(['a', 'd', 'e'].map((key) => cache.get(key))).toEqual([1, 4, 5]);
  });

  it('lets set of an existing key refresh recency without growing the cache', () => {
    const cache = createShadowAwareCache<number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    expect(cache.size).toBe(2);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(10);
    expect(cache.get('c')).toBe(3);
  });

  it('a get that misses does not refresh anything', () => {
    const cache = createShadowAwareCache<number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(inRun('run-1', () => cache.get('a'))).toBeUndefined();
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
  });

  it('counts every segment against maxEntries, evicting in one recency order', () => {
    const cache = createShadowAwareCache<string>({ maxEntries: 3 });
    cache.set('k', 'p');
    inRun('run-1', () => cache.set('k', 's1'));
    inRun('run-2', () => cache.set('k', 's2'));
    expect(cache.get('k')).toBe('p');
    inRun('run-3', () => cache.set('k', 's3'));
    expect(cache.size).toBe(3);
    expect(inRun('run-1', () => cache.get('k'))).toBeUndefined();
    expect(cache.get('k')).toBe('p');
    expect(inRun('run-2', () => cache.get('k'))).toBe('s2');
    expect(inRun('run-3', () => cache.get('k'))).toBe('s3');
  });
});

describe('createShadowAwareCache: size, clearShadow, clear', () => {
  it('counts production and every run in size', () => {
    const cache = createShadowAwareCache<number>();
    expect(cache.size).toBe(0);
    cache.set('a', 1);
    cache.set('b', 2);
    inRun('run-1', () => cache.set('a', 3));
    inRun('run-2', () => cache.set('a', 4));
    expect(cache.size).toBe(4);
    cache.delete('b');
    expect(cache.size).toBe(3);
  });

  it('clearShadow drops every run and keeps production', () => {
    const cache = createShadowAwareCache<number>();
    cache.set('a', 1);
    cache.set('b', 2);
    inRun('run-1', () => {
      cache.set('a', 10);
      cache.set('c', 30);
    });
    inRun('run-2', () => cache.set('a', 20));
    cache.clearShadow();
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBe(1);
    expect(cache.get('b')).toBe(2);
    expect(inRun('run-1', () => [cache.get('a'), cache.get('c')])).toEqual([undefined, undefined]);
    expect(inRun('run-2', () => cache.get('a'))).toBeUndefined();
  });

  it('clearShadow works the same when called from inside a shadow context', () => {
    const cache = createShadowAwareCache<number>();
    cache.set('a', 1);
    inRun('run-1', () => {
      cache.set('a', 2);
      cache.clearShadow();
    });
    expect(cache.size).toBe(1);
    expect(cache.get('a')).toBe(1);
  });

  it('clear drops everything', () => {
    const cache = createShadowAwareCache<number>();
    cache.set('a', 1);
    inRun('run-1', () => cache.set('a', 2));
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('shadow-aware cache when full', () => {
  it('evicts shadow entries before production ones, so a load test cannot push production out', () => {
    const cache = createShadowAwareCache<string>({ maxEntries: 3 });
    cache.set('room:1', 'production');
    inRun('run-1', () => {
      for (let index = 0; index < 10; index += 1) cache.set(`room:${index}`, 'shadow');
    });
    expect(cache.get('room:1')).toBe('production');
    expect(cache.size).toBe(3);
    expect(inRun('run-1', () => [cache.get('room:9'), cache.get('room:8'), cache.get('room:7')])).toEqual(['shadow', 'shadow', undefined]);
  });
});
