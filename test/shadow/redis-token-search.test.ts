import { describe, expect, it } from 'vitest';
import { searchKeyForTokens, searchKeysForTokens, type TokenSearch } from '../../src/shadow/redis-token-search.js';
import { usePrivateRedis } from '../helpers/redis-server.js';

const MARKER = 'la~run42~17.1';
const UID = '9000012345';

const server = usePrivateRedis();

const search = (key: string, tokens: readonly string[] = [MARKER, UID], limits?: { maxElements?: number; maxStringBytes?: number }) =>
  searchKeyForTokens(server.raw, key, tokens, limits);

const places = (result: TokenSearch) => result.found.map(({ token, where }) => `${token} @ ${where}`);

describe('searchKeyForTokens', () => {
  it('finds a token in a string value and reports a miss as complete', async () => {
    await server.raw.set('shadow:danmaku:7', `{"msg":"hello ${MARKER}","uid":1}`);
    await server.raw.set('danmaku:7', '{"msg":"hello","uid":1}');
    const hit = await search('shadow:danmaku:7');
    expect(hit).toEqual({
      key: 'shadow:danmaku:7',
      type: 'string',
      found: [{ token: MARKER, where: 'string value', excerpt: `{"msg":"hello ${MARKER}","uid":1}` }],
      examined: 1,
      complete: true,
    });
    expect(await search('danmaku:7')).toEqual({ key: 'danmaku:7', type: 'string', found: [], examined: 1, complete: true });
  });

  it('reads only both ends of a string longer than maxStringBytes', async () => {
    const filler = 'x'.repeat(1000);
    await server.raw.set('big', `${filler}${UID}${filler}${MARKER}`);
    const result = await search('big', [MARKER, UID], { maxStringBytes: 200 });
    expect(places(result)).toEqual([`${MARKER} @ string value`]);
    expect(result.complete).toBe(false);
    expect(result.skipped).toContain('bytes 100 to');
  });

  it('finds list elements by index and misses cleanly', async () => {
    await server.raw.rpush('shadow:danmaku:7', 'first', `uid=${UID}`, 'third');
    await server.raw.rpush('danmaku:7', 'first', 'second');
    const hit = await search('shadow:danmaku:7');
    expect(hit.found).toEqual([{ token: UID, where: 'list element 1', excerpt: `uid=${UID}` }]);
    expect(hit).toMatchObject({ type: 'list', examined: 3, complete: true });
    expect(await search('danmaku:7')).toMatchObject({ type: 'list', found: [], examined: 2, complete: true });
  });

  it('reads the head and tail of a long list: the tail is found, the middle is not', async () => {
    const elements = Array.from({ length: 100 }, (_, index) => `element ${index}`);
    elements[97] = `tail ${MARKER}`;
    elements[50] = `middle ${UID}`;
    await server.raw.rpush('long', ...elements);
    const result = await search('long', [MARKER, UID], { maxElements: 10 });
    expect(result.found).toEqual([{ token: MARKER, where: 'list element -3', excerpt: `tail ${MARKER}` }]);
    expect(result).toMatchObject({ examined: 10, complete: false, skipped: 'elements 5 to 94 of 100: only the first 5 and the last 5 were read' });
  });

  it('reads a list longer than one chunk whole, across chunk boundaries', async () => {
    const elements = Array.from({ length: 2500 }, (_, index) => `element ${index}`);
    elements[2499] = MARKER;
    await server.raw.rpush('chunked', ...elements);
    const result = await search('chunked');
    expect(places(result)).toEqual([`${MARKER} @ list element 2499`]);
    expect(result).toMatchObject({ examined: 2500, complete: true });
  });

  it('still finds the last element of a list that grows at the head while being read', async () => {
    await server.raw.rpush('growing', MARKER, ...Array.from({ length: 4999 }, (_, index) => `element ${index}`));
    await server.raw.rpush('growing', UID);
    const writer = server.raw.duplicate();
    const writes = Promise.all(Array.from({ length: 200 }, (_, index) => writer.lpush('growing', `new ${index}`)));
    const result = await search('growing');
    await writes;
    writer.disconnect();
    expect(result.found.map(({ token }) => token).sort()).toEqual([MARKER, UID].sort());
    expect(result.complete).toBe(true);
  });

  it('finds a token that is only a hash value, or only a hash field', async () => {
    await server.raw.hset('by-value', 'msg', `hi ${MARKER}`, 'other', 'nothing');
    await server.raw.hset('by-field', UID, 'online', 'other', 'nothing');
    await server.raw.hset('neither', 'msg', 'hi', 'uid', '1');
    expect((await search('by-value')).found).toEqual([{ token: MARKER, where: 'hash value of field msg', excerpt: `hi ${MARKER}` }]);
    expect((await search('by-field')).found).toEqual([{ token: UID, where: 'hash field', excerpt: UID }]);
    expect(await search('neither')).toMatchObject({ type: 'hash', found: [], examined: 2, complete: true });
  });

  it('answers an exact hash field even when the scan stops at maxElements', async () => {
    const fields = Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`user:${index}`, 'x']));
    await server.raw.hset('huge', { ...fields, [UID]: `value ${MARKER}` });
    const result = await search('huge', [UID, MARKER], { maxElements: 1000 });
    expect(result.found).toContainEqual({ token: UID, where: 'hash field', excerpt: UID });
    expect(result.found).toContainEqual({ token: MARKER, where: `hash value of field ${UID}`, excerpt: `value ${MARKER}` });
    expect(result.complete).toBe(false);
    expect(result.skipped).toMatch(/^the rest of the 3001 fields: HSCAN stopped after \d+ at maxElements$/);
  });

  it('finds set members exactly and as substrings, once each', async () => {
    await server.raw.sadd('online', UID, `msg:${MARKER}`, 'someone');
    await server.raw.sadd('offline', 'someone', 'else');
    const result = await search('online');
    expect(result.found).toHaveLength(2);
    expect(result.found).toContainEqual({ token: UID, where: 'set member', excerpt: UID });
    expect(result.found).toContainEqual({ token: MARKER, where: 'set member', excerpt: `msg:${MARKER}` });
    expect(result).toMatchObject({ type: 'set', examined: 3, complete: true });
    expect(await search('offline')).toMatchObject({ type: 'set', found: [], complete: true });
  });

  it('finds a zset member, and misses cleanly', async () => {
    await server.raw.zadd('rank', 10, UID, 5, 'someone');
    await server.raw.zadd('rank:prod', 10, 'someone');
    const result = await search('rank');
    expect(result.found).toEqual([{ token: UID, where: 'zset member', excerpt: UID }]);
    expect(result).toMatchObject({ type: 'zset', examined: 2, complete: true });
    expect(await search('rank:prod')).toMatchObject({ type: 'zset', found: [], examined: 1, complete: true });
  });

  it('does not read zset scores, whose timestamps can hold a shadow user id among their digits', async () => {
    await server.raw.zadd('recent', 1769000012345, 'someone');
    expect(await search('recent')).toMatchObject({ found: [], examined: 1, complete: true });
  });

  it('finds a token in a stream field value and in a field name, not in entry ids', async () => {
    await server.raw.xadd('events', '1700000000000-0', 'msg', `hello ${MARKER}`, 'uid', '1');
    await server.raw.xadd('events', '1700000000001-0', UID, 'joined');
    await server.raw.xadd('quiet', '1700000000000-0', 'msg', 'hello');
    const result = await search('events', [MARKER, UID, '1700000000000']);
    expect(result.found).toEqual([
      { token: MARKER, where: 'stream entry 1700000000000-0 value of field msg', excerpt: `hello ${MARKER}` },
      { token: UID, where: 'stream entry 1700000000001-0 field', excerpt: UID },
    ]);
    expect(result).toMatchObject({ type: 'stream', examined: 2, complete: true });
    expect(await search('quiet')).toMatchObject({ type: 'stream', found: [], examined: 1, complete: true });
  });

  it('reads both ends of a long stream', async () => {
    for (let index = 1; index <= 40; index++) {
      const message = index === 38 ? `late ${MARKER}` : index === 20 ? `middle ${UID}` : `message ${index}`;
      await server.raw.xadd('long-stream', `1-${index}`, 'msg', message);
    }
    const result = await search('long-stream', [MARKER, UID], { maxElements: 6 });
    expect(places(result)).toEqual([`${MARKER} @ stream entry 1-38 value of field msg`]);
    expect(result).toMatchObject({ examined: 6, complete: false, skipped: 'entries after 1-3 and before 1-38 (40 entries in all)' });
  });

  it('reports a key name hit only for a key that exists', async () => {
    await server.raw.set(`shadow:user:${UID}`, 'profile');
    expect((await search(`shadow:user:${UID}`)).found).toEqual([{ token: UID, where: 'key name', excerpt: `shadow:user:${UID}` }]);
    expect(await search(`user:${UID}`)).toEqual({ key: `user:${UID}`, type: 'none', found: [], examined: 0, complete: true });
  });

  it('matches glob characters literally', async () => {
    const token = 'a*b?[c]\\d';
    await server.raw.sadd('globs', 'aXXbY[c]\\d', 'acb?c\\d');
    await server.raw.hset('globs-hash', 'aXbYc\\d', 'aZb?[c]d');
    expect((await search('globs', [token])).found).toEqual([]);
    expect((await search('globs-hash', [token])).found).toEqual([]);
    await server.raw.sadd('globs', `x${token}y`);
    await server.raw.hset('globs-hash', 'f', token);
    expect((await search('globs', [token])).found).toEqual([{ token, where: 'set member', excerpt: `x${token}y` }]);
    expect((await search('globs-hash', [token])).found).toEqual([{ token, where: 'hash value of field f', excerpt: token }]);
  });

  it('searches non-UTF-8 values without crashing', async () => {
    const binary = Buffer.concat([Buffer.from([0xff, 0xfe, 0x80, 0xc3]), Buffer.from(MARKER), Buffer.from([0x00, 0xe2, 0x82])]);
    await server.raw.set('bin-string', binary);
    await server.raw.rpush('bin-list', Buffer.from([0xc0, 0xc1]), binary);
    await server.raw.hset('bin-hash', Buffer.from([0xfe, 0xff]), binary);
    await server.raw.zadd('bin-zset', 1, binary);
    expect(places(await search('bin-string'))).toEqual([`${MARKER} @ string value`]);
    expect(places(await search('bin-list'))).toEqual([`${MARKER} @ list element 1`]);
    expect(places(await search('bin-hash'))).toEqual([`${MARKER} @ hash value of field \ufffd\ufffd`]);
    const zset = await search('bin-zset');
    expect(places(zset)).toEqual([`${MARKER} @ zset member`]);
    expect(zset.found[0]?.excerpt).toContain(MARKER);
  });

  it('cuts long elements to an excerpt around the token', async () => {
    await server.raw.lpush('chatty', `${'a'.repeat(500)}${MARKER}${'é'.repeat(300)}`);
    const [hit] = (await search('chatty')).found;
    expect(hit?.excerpt).toMatch(/^…a+la~run42~17\.1é+…$/);
    expect(hit?.excerpt.length).toBeLessThanOrEqual(122);
  });

  it('reports at most 10 places per token', async () => {
    await server.raw.rpush('copies', ...Array.from({ length: 50 }, () => MARKER));
    const result = await search('copies');
    expect(result.found).toHaveLength(10);
    expect(result).toMatchObject({ examined: 50, complete: true });
  });

  describe('a token of digits only matches a whole number', () => {
    const longer = [`1769${UID}`, `1${UID}`, `${UID}7`, `1${UID}2`];

    it('is not found inside a longer number in a string value', async () => {
      await server.raw.set('at', `{"at":1769${UID},"uid":"1${UID}","n":${UID}7}`);
      expect(await search('at')).toMatchObject({ type: 'string', found: [], examined: 1, complete: true });
    });

    it('is not found inside a longer number in list elements', async () => {
      await server.raw.rpush('numbers', ...longer);
      expect(await search('numbers')).toMatchObject({ found: [], examined: 4, complete: true });
    });

    it('is not found inside a longer number in a hash field or value', async () => {
      await server.raw.hset('profile', `1${UID}`, 'online', 'uid', `${UID}0`, 'at', `{"at":1769${UID}}`);
      expect(await search('profile')).toMatchObject({ found: [], examined: 3, complete: true });
    });

    it('is not found inside a longer number in set or zset members', async () => {
      await server.raw.sadd('members', ...longer);
      await server.raw.zadd('ranked', 1, `1${UID}`, 2, `${UID}9`, 3, `user:1769${UID}`);
      expect(await search('members')).toMatchObject({ type: 'set', found: [], examined: 4, complete: true });
      expect(await search('ranked')).toMatchObject({ type: 'zset', found: [], examined: 3, complete: true });
    });

    it('is not found inside a longer number in a stream field or value', async () => {
      await server.raw.xadd('events', '1-1', 'msg', `{"at":1769${UID}}`, `1${UID}`, 'joined');
      expect(await search('events')).toMatchObject({ type: 'stream', found: [], examined: 1, complete: true });
    });

    it('is not found inside a longer number in a key name', async () => {
      await server.raw.set(`user:1${UID}`, 'profile');
      await server.raw.set(`user:${UID}0:x`, 'profile');
      expect((await search(`user:1${UID}`)).found).toEqual([]);
      expect((await search(`user:${UID}0:x`)).found).toEqual([]);
    });

    it('is found in a key name between colons and at its end', async () => {
      await server.raw.set(`user:${UID}:profile`, 'x');
      await server.raw.set(`user:${UID}`, 'x');
      expect(places(await search(`user:${UID}:profile`))).toEqual([`${UID} @ key name`]);
      expect(places(await search(`user:${UID}`))).toEqual([`${UID} @ key name`]);
    });

    it.each([
      ['between quotes', `{"uid":"${UID}"}`],
      ['after a colon, before a comma', `{"uid":${UID},"n":1}`],
      ['between letters', `uid${UID}x`],
      ['at the start of the element', `${UID} joined`],
      ['at the end of the element', `joined:${UID}`],
      ['as the whole element', UID],
      ['after a minus sign, which is not a digit', `{"uid":-${UID}}`],
      ['after a longer number that did not match', `1${UID} ${UID}`],
    ])('is found %s', async (_, element) => {
      await server.raw.set('string', element);
      await server.raw.rpush('list', 'x', element);
      await server.raw.sadd('set', element);
      await server.raw.hset('hash', 'f', element);
      expect(places(await search('string', [UID]))).toEqual([`${UID} @ string value`]);
      expect(places(await search('list', [UID]))).toEqual([`${UID} @ list element 1`]);
      expect(places(await search('set', [UID]))).toEqual([`${UID} @ set member`]);
      expect(places(await search('hash', [UID]))).toEqual([`${UID} @ hash value of field f`]);
    });

    it('the excerpt is taken around the whole number, not the first digits that contain it', async () => {
      await server.raw.set('two', `${'x'.repeat(200)}1769${UID}${'y'.repeat(200)} uid=${UID}${'z'.repeat(200)}`);
      const [hit] = (await search('two', [UID])).found;
      expect(hit?.excerpt).toContain(`uid=${UID}`);
    });

    it('still answers exact hash fields, set members and zset members', async () => {
      await server.raw.hset('exact-hash', UID, `1${UID}`);
      await server.raw.sadd('exact-set', UID);
      await server.raw.zadd('exact-zset', 1769000012345, UID);
      expect(places(await search('exact-hash', [UID]))).toEqual([`${UID} @ hash field`]);
      expect(places(await search('exact-set', [UID]))).toEqual([`${UID} @ set member`]);
      expect(places(await search('exact-zset', [UID]))).toEqual([`${UID} @ zset member`]);
    });

    it('leaves a token with a non-digit in it matching as a substring', async () => {
      await server.raw.set('marker', `1${MARKER}2`);
      await server.raw.set('mixed', `1${UID}x2`);
      expect(places(await search('marker'))).toEqual([`${MARKER} @ string value`]);
      expect(places(await search('mixed', [`${UID}x`]))).toEqual([`${UID}x @ string value`]);
    });

    it('finds a whole number after a run of millions of digits that hold it, quickly', async () => {
      await server.raw.set('digits', `${'1'.repeat(4_000_000)}:11`);
      const started = performance.now();
      expect(places(await search('digits', ['11']))).toEqual(['11 @ string value']);
      expect(performance.now() - started).toBeLessThan(2000);
    });
  });

  it('refuses an empty token, which would match everything', async () => {
    await expect(search('anything', [''])).rejects.toThrow(RangeError);
  });
});

describe('searchKeysForTokens', () => {
  it('runs many searches with bounded concurrency and keeps their order', async () => {
    const keys = Array.from({ length: 20 }, (_, index) => `room:${index}`);
    for (const [index, key] of keys.entries()) await server.raw.rpush(key, index % 3 === 0 ? MARKER : 'plain');
    const results = await searchKeysForTokens(
      server.raw,
      keys.map((key) => ({ key, tokens: [MARKER] })),
      { concurrency: 3 },
    );
    expect(results.map((result) => result.key)).toEqual(keys);
    expect(results.map((result) => result.found.length)).toEqual(keys.map((_, index) => (index % 3 === 0 ? 1 : 0)));
  });
});
