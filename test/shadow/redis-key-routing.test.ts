import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandKeys, hasPrefix, routeToShadow, type RedisArg, type Routed } from '../../src/shadow/redis-key-routing.js';
import { stripPrefix, unrouteReply } from '../../src/shadow/redis-reply-unrouting.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const P = 'shadow:';

function routed(name: string, args: RedisArg[], prefix = P): RedisArg[] {
  const result = routeToShadow(name, args, prefix);
  if (!result.ok) throw new Error(`expected ${name} to be routed, got: ${result.reason}`);
  return result.args;
}

function refusal(result: Routed): string {
  if (result.ok) throw new Error(`expected a refusal, got args ${JSON.stringify(result.args)}`);
  return result.reason;
}

describe('routeToShadow: keys found by the command table', () => {
  it('prefixes the keys of simple commands and leaves values alone', () => {
    expect(routed('GET', ['k'])).toEqual(['shadow:k']);
    expect(routed('set', ['k', 'v', 'EX', 10])).toEqual(['shadow:k', 'v', 'EX', 10]);
    expect(routed('mset', ['a', '1', 'b', '2'])).toEqual(['shadow:a', '1', 'shadow:b', '2']);
    expect(routed('del', ['a', 'b', 'c'])).toEqual(['shadow:a', 'shadow:b', 'shadow:c']);
    expect(routed('hset', ['h', 'f', 'v'])).toEqual(['shadow:h', 'f', 'v']);
    expect(routed('lmove', ['src', 'dst', 'LEFT', 'RIGHT'])).toEqual(['shadow:src', 'shadow:dst', 'LEFT', 'RIGHT']);
  });

  it('prefixes Buffer keys as Buffers', () => {
    const [key, value] = routed('set', [Buffer.from([0xff, 0x00, 0x61]), Buffer.from('v')]);
    expect(Buffer.isBuffer(key)).toBe(true);
    expect(key).toEqual(Buffer.concat([Buffer.from(P), Buffer.from([0xff, 0x00, 0x61])]));
    expect(value).toEqual(Buffer.from('v'));
  });

  it('does not modify the arguments it was given', () => {
    const args: RedisArg[] = ['a', '1', 'b', '2'];
    routed('mset', args);
    expect(args).toEqual(['a', '1', 'b', '2']);
  });

  it('routes SORT with BY and GET patterns and STORE, keeping GET #', () => {
    expect(routed('sort', ['list', 'BY', 'weight_*', 'GET', '#', 'GET', 'obj_*->name', 'LIMIT', 0, 10, 'STORE', 'out'])).toEqual([
      'shadow:list',
      'BY',
      'shadow:weight_*',
      'GET',
      '#',
      'GET',
      'shadow:obj_*->name',
      'LIMIT',
      0,
      10,
      'STORE',
      'shadow:out',
    ]);
    expect(routed('sort', ['list', 'by', 'w_*', 'get', '#', 'desc', 'alpha'])).toEqual(['shadow:list', 'by', 'shadow:w_*', 'get', '#', 'desc', 'alpha']);
    expect(routed('sort_ro', ['list', 'GET', '#'])).toEqual(['shadow:list', 'GET', '#']);
  });

  it('routes ZUNIONSTORE/ZINTERSTORE by numkeys, leaving WEIGHTS and AGGREGATE alone', () => {
    expect(routed('zunionstore', ['dst', 2, 'z1', 'z2', 'WEIGHTS', 1, 2, 'AGGREGATE', 'MAX'])).toEqual([
      'shadow:dst',
      2,
      'shadow:z1',
      'shadow:z2',
      'WEIGHTS',
      1,
      2,
      'AGGREGATE',
      'MAX',
    ]);
    expect(routed('zinterstore', ['dst', '1', 'z1'])).toEqual(['shadow:dst', '1', 'shadow:z1']);
    expect(routed('zunion', [2, 'a', 'b', 'WITHSCORES'])).toEqual([2, 'shadow:a', 'shadow:b', 'WITHSCORES']);
  });

  it('routes EVAL/EVALSHA/FCALL keys by numkeys and leaves script, sha and ARGV alone', () => {
    const script = "return redis.call('GET', KEYS[1])";
    expect(routed('eval', [script, 2, 'k1', 'k2', 'arg1', 'k3'])).toEqual([script, 2, 'shadow:k1', 'shadow:k2', 'arg1', 'k3']);
    expect(routed('eval', [script, 0, 'arg1'])).toEqual([script, 0, 'arg1']);
    expect(routed('evalsha', ['abc123', '1', 'k', 'a'])).toEqual(['abc123', '1', 'shadow:k', 'a']);
    expect(routed('fcall', ['fn', 1, 'k', 'a'])).toEqual(['fn', 1, 'shadow:k', 'a']);
  });

  it('routes the numkeys commands of Redis 7 (LMPOP, BLMPOP, ZMPOP, SINTERCARD)', () => {
    expect(routed('lmpop', [2, 'a', 'b', 'LEFT', 'COUNT', 2])).toEqual([2, 'shadow:a', 'shadow:b', 'LEFT', 'COUNT', 2]);
    expect(routed('blmpop', [0, 1, 'a', 'LEFT'])).toEqual([0, 1, 'shadow:a', 'LEFT']);
    expect(routed('zmpop', [1, 'z', 'MIN'])).toEqual([1, 'shadow:z', 'MIN']);
    expect(routed('sintercard', [2, 'a', 'b', 'LIMIT', 5])).toEqual([2, 'shadow:a', 'shadow:b', 'LIMIT', 5]);
  });

  it('routes XREAD/XREADGROUP keys after STREAMS but not their ids, group or consumer', () => {
    expect(routed('xread', ['COUNT', 10, 'BLOCK', 0, 'STREAMS', 's1', 's2', '0-0', '$'])).toEqual([
      'COUNT',
      10,
      'BLOCK',
      0,
      'STREAMS',
      'shadow:s1',
      'shadow:s2',
      '0-0',
      '$',
    ]);
    expect(routed('xreadgroup', ['GROUP', 'g', 'c', 'COUNT', 1, 'STREAMS', 's', '>'])).toEqual(['GROUP', 'g', 'c', 'COUNT', 1, 'STREAMS', 'shadow:s', '>']);
  });

  it('routes keys behind subcommands (XGROUP CREATE, OBJECT ENCODING, MEMORY USAGE)', () => {
    expect(routed('xgroup', ['CREATE', 's', 'g', '$', 'MKSTREAM'])).toEqual(['CREATE', 'shadow:s', 'g', '$', 'MKSTREAM']);
    expect(routed('object', ['encoding', 'k'])).toEqual(['encoding', 'shadow:k']);
    expect(routed('memory', ['USAGE', 'k'])).toEqual(['USAGE', 'shadow:k']);
  });

  it('passes PING, ECHO and other keyless commands untouched', () => {
    expect(routeToShadow('PING', [], P)).toEqual({ ok: true, args: [] });
    expect(routeToShadow('ping', ['hello'], P)).toEqual({ ok: true, args: ['hello'] });
    expect(routeToShadow('echo', ['shadow?'], P)).toEqual({ ok: true, args: ['shadow?'] });
    expect(routeToShadow('script', ['LOAD', 'return 1'], P)).toEqual({ ok: true, args: ['LOAD', 'return 1'] });
    expect(routeToShadow('multi', [], P)).toEqual({ ok: true, args: [] });
  });
});

describe('routeToShadow: patterns, scans and pub/sub', () => {
  it('SCAN without MATCH gets a MATCH on the prefix', () => {
    expect(routed('scan', ['0'])).toEqual(['0', 'MATCH', 'shadow:*']);
    expect(routed('scan', ['17', 'COUNT', 100, 'TYPE', 'string'])).toEqual(['17', 'COUNT', 100, 'TYPE', 'string', 'MATCH', 'shadow:*']);
  });

  it('SCAN with MATCH (any case, any position) gets the prefix in front of the pattern', () => {
    expect(routed('scan', ['0', 'MATCH', 'user:*', 'COUNT', 10])).toEqual(['0', 'MATCH', 'shadow:user:*', 'COUNT', 10]);
    expect(routed('SCAN', ['0', 'count', 10, 'match', 'a?'])).toEqual(['0', 'count', 10, 'match', 'shadow:a?']);
  });

  it('does not take a cursor that reads "match" for the MATCH option', () => {
    expect(routed('scan', ['match'])).toEqual(['match', 'MATCH', 'shadow:*']);
  });

  it('KEYS gets the prefix in front of its pattern', () => {
    expect(routed('keys', ['user:*'])).toEqual(['shadow:user:*']);
    expect(routed('keys', [])).toEqual(['shadow:*']);
  });

  it('glob-escapes a prefix with metacharacters in SCAN MATCH, KEYS, PSUBSCRIBE and PUBSUB CHANNELS', () => {
    const prefix = 'sh[a]dow*:';
    const escaped = 'sh\\[a\\]dow\\*:';
    expect(routed('scan', ['0', 'MATCH', 'u:*'], prefix)).toEqual(['0', 'MATCH', `${escaped}u:*`]);
    expect(routed('scan', ['0'], prefix)).toEqual(['0', 'MATCH', `${escaped}*`]);
    expect(routed('keys', ['u:?'], prefix)).toEqual([`${escaped}u:?`]);
    expect(routed('psubscribe', ['news.*'], prefix)).toEqual([`${escaped}news.*`]);
    expect(routed('pubsub', ['CHANNELS', 'n*'], prefix)).toEqual(['CHANNELS', `${escaped}n*`]);
    expect(routed('scan', ['0'], 'a?b\\c:')).toEqual(['0', 'MATCH', 'a\\?b\\\\c:*']);
    // Plain keys and channels carry the prefix verbatim: they are names, not patterns.
    expect(routed('get', ['u:1'], prefix)).toEqual(['sh[a]dow*:u:1']);
    expect(routed('subscribe', ['news'], prefix)).toEqual(['sh[a]dow*:news']);
  });

  it('prefixes PSUBSCRIBE/PUNSUBSCRIBE patterns', () => {
    expect(routed('psubscribe', ['news.*', 'chat.?'])).toEqual(['shadow:news.*', 'shadow:chat.?']);
    expect(routed('punsubscribe', ['news.*'])).toEqual(['shadow:news.*']);
  });

  it('prefixes every channel of SUBSCRIBE/UNSUBSCRIBE/SSUBSCRIBE and only the channel of PUBLISH/SPUBLISH', () => {
    expect(routed('subscribe', ['a', 'b'])).toEqual(['shadow:a', 'shadow:b']);
    expect(routed('unsubscribe', ['a'])).toEqual(['shadow:a']);
    expect(routed('ssubscribe', ['a'])).toEqual(['shadow:a']);
    expect(routed('sunsubscribe', ['a'])).toEqual(['shadow:a']);
    expect(routed('publish', ['ch', 'shadow-looking message'])).toEqual(['shadow:ch', 'shadow-looking message']);
    expect(routed('spublish', ['ch', 'm'])).toEqual(['shadow:ch', 'm']);
  });

  it('refuses UNSUBSCRIBE/SUNSUBSCRIBE/PUNSUBSCRIBE without channels (they would drop production subscriptions)', () => {
    expect(refusal(routeToShadow('unsubscribe', [], P))).toMatch(/^UNSUBSCRIBE cannot be routed to shadow storage: without channels/);
    expect(refusal(routeToShadow('sunsubscribe', [], P))).toMatch(/^SUNSUBSCRIBE cannot be routed/);
    expect(refusal(routeToShadow('PUNSUBSCRIBE', [], P))).toMatch(/^PUNSUBSCRIBE cannot be routed to shadow storage: without patterns/);
  });

  it('routes PUBSUB CHANNELS (with and without pattern) and NUMSUB, and leaves NUMPAT alone', () => {
    expect(routed('pubsub', ['CHANNELS'])).toEqual(['CHANNELS', 'shadow:*']);
    expect(routed('pubsub', ['channels', 'news.*'])).toEqual(['channels', 'shadow:news.*']);
    expect(routed('pubsub', ['SHARDCHANNELS'])).toEqual(['SHARDCHANNELS', 'shadow:*']);
    expect(routed('pubsub', ['NUMSUB', 'a', 'b'])).toEqual(['NUMSUB', 'shadow:a', 'shadow:b']);
    expect(routed('pubsub', ['shardnumsub', 'a'])).toEqual(['shardnumsub', 'shadow:a']);
    expect(routed('pubsub', ['NUMPAT'])).toEqual(['NUMPAT']);
  });
});

describe('routeToShadow: refusals', () => {
  it.each(['flushall', 'FLUSHDB', 'swapdb', 'select', 'randomkey', 'move', 'monitor', 'shutdown', 'debug', 'config', 'replicaof', 'slaveof', 'failover'])(
    'refuses %s',
    (name) => {
      expect(refusal(routeToShadow(name, ['0', '1'], P))).toMatch(new RegExp(`^${name.toUpperCase()} cannot be routed to shadow storage: it `));
    },
  );

  it.each([
    ['script', 'FLUSH'],
    ['script', 'kill'],
    ['function', 'LOAD'],
    ['function', 'flush'],
    ['function', 'DELETE'],
    ['function', 'restore'],
    ['client', 'KILL'],
    ['client', 'pause'],
  ])('refuses %s %s', (name, subcommand) => {
    expect(refusal(routeToShadow(name, [subcommand, 'x'], P))).toBe(`${name.toUpperCase()} ${subcommand.toUpperCase()} cannot be routed to shadow storage: its effect is not limited to keys`);
  });

  it('recognises a subcommand given as a Buffer', () => {
    expect(refusal(routeToShadow('script', [Buffer.from('flush')], P))).toMatch(/^SCRIPT FLUSH cannot be routed/);
  });

  it('refuses commands it does not know, rather than sending their keys unrouted', () => {
    expect(refusal(routeToShadow('JSON.SET', ['doc', '$', '{}'], P))).toBe('JSON.SET cannot be routed to shadow storage: live-assure does not know where its keys are');
    expect(refusal(routeToShadow('frobnicate', ['k'], P))).toMatch(/^FROBNICATE cannot be routed/);
    expect(refusal(routeToShadow('', [], P))).toMatch(/cannot be routed/);
  });

  // Connection-wide effects on the connection production shares: RESET drops subscriptions,
  // MULTI/WATCH and the selected db; CLIENT REPLY silences replies; QUIT/AUTH/HELLO change it.
  it.each([
    ['reset', []],
    ['quit', []],
    ['auth', ['user', 'pw']],
    ['hello', [3]],
    ['client', ['REPLY', 'OFF']],
    ['client', ['reply', 'skip']],
    ['client', ['TRACKING', 'on']],
    ['acl', ['SETUSER', 'u']],
    ['cluster', ['RESET']],
  ] as [string, RedisArg[]][])('refuses the connection-wide %s %j', (name, args) => {
    expect(routeToShadow(name, args, P).ok).toBe(false);
  });
});

describe('commandKeys', () => {
  it('lists the keys a command touches', () => {
    expect(commandKeys('GET', ['k'])).toEqual(['k']);
    expect(commandKeys('mset', ['a', '1', 'b', '2'])).toEqual(['a', 'b']);
    expect(commandKeys('sort', ['l', 'BY', 'w_*', 'GET', '#', 'STORE', 'd'])).toEqual(['l', 'w_*', 'd']);
    expect(commandKeys('eval', ['s', 1, 'k', 'argv'])).toEqual(['k']);
    expect(commandKeys('zunionstore', ['d', 2, 'a', 'b', 'WEIGHTS', 1, 2])).toEqual(['d', 'a', 'b']);
    expect(commandKeys('xread', ['STREAMS', 's1', 's2', '0', '0'])).toEqual(['s1', 's2']);
  });

  it('lists channels of channel commands: only the first argument of PUBLISH', () => {
    expect(commandKeys('publish', ['ch', 'msg'])).toEqual(['ch']);
    expect(commandKeys('subscribe', ['a', 'b'])).toEqual(['a', 'b']);
    expect(commandKeys('unsubscribe', [])).toEqual([]);
  });

  it('lists nothing for keyless and unknown commands', () => {
    expect(commandKeys('ping', ['x'])).toEqual([]);
    expect(commandKeys('json.get', ['doc'])).toEqual([]);
  });

  it('keeps Buffer keys as Buffers', () => {
    const key = Buffer.from('bin');
    expect(commandKeys('get', [key])[0]).toBe(key);
  });
});

describe('hasPrefix and stripPrefix', () => {
  it('compare strings and Buffers by their UTF-8 bytes', () => {
    expect(hasPrefix('shadow:k', P)).toBe(true);
    expect(hasPrefix('shadowk', P)).toBe(false);
    expect(hasPrefix(Buffer.from('shadow:k'), P)).toBe(true);
    expect(hasPrefix(Buffer.from('shad'), P)).toBe(false);
    expect(hasPrefix(42, P)).toBe(false);
    expect(hasPrefix(Buffer.from('ü:k'), 'ü:')).toBe(true);
    expect(stripPrefix('shadow:k', P)).toBe('k');
    expect(stripPrefix('prod:k', P)).toBe('prod:k');
    expect(stripPrefix(Buffer.from('shadow:k'), P)).toEqual(Buffer.from('k'));
    expect(stripPrefix(Buffer.from('k'), P)).toEqual(Buffer.from('k'));
    expect(stripPrefix(7, P)).toBe(7);
  });
});

describe('unrouteReply', () => {
  it('strips the prefix from KEYS and SCAN replies, leaving the cursor', () => {
    expect(unrouteReply('keys', '', ['shadow:a', 'shadow:b'], P)).toEqual(['a', 'b']);
    expect(unrouteReply('SCAN', '', ['42', ['shadow:a', Buffer.from('shadow:b')]], P)).toEqual(['42', ['a', Buffer.from('b')]]);
  });

  it('strips only the key of BLPOP/BZPOPMIN/LMPOP replies, never the popped values', () => {
    expect(unrouteReply('blpop', '', ['shadow:q', 'shadow:job'], P)).toEqual(['q', 'shadow:job']);
    expect(unrouteReply('bzpopmin', '', ['shadow:z', 'shadow:m', '1'], P)).toEqual(['z', 'shadow:m', '1']);
    expect(unrouteReply('lmpop', '', ['shadow:l', ['shadow:x']], P)).toEqual(['l', ['shadow:x']]);
    expect(unrouteReply('blpop', '', null, P)).toBeNull();
  });

  it('strips stream names in XREAD/XREADGROUP replies, not entry ids or fields', () => {
    const reply = [
      ['shadow:s1', [['1-0', ['shadow:f', 'v']]]],
      ['shadow:s2', []],
    ];
    expect(unrouteReply('xread', '', reply, P)).toEqual([
      ['s1', [['1-0', ['shadow:f', 'v']]]],
      ['s2', []],
    ]);
    expect(unrouteReply('xreadgroup', '', null, P)).toBeNull();
  });

  it('strips channels in PUBSUB CHANNELS and NUMSUB, not the counts', () => {
    expect(unrouteReply('pubsub', 'CHANNELS', ['shadow:a', 'shadow:b'], P)).toEqual(['a', 'b']);
    expect(unrouteReply('pubsub', 'numsub', ['shadow:a', 1, 'shadow:b', 0], P)).toEqual(['a', 1, 'b', 0]);
    expect(unrouteReply('pubsub', 'NUMPAT', 3, P)).toBe(3);
  });

  it('leaves replies of other commands alone, even when they look like shadow keys', () => {
    expect(unrouteReply('get', '', 'shadow:value', P)).toBe('shadow:value');
    expect(unrouteReply('lrange', '', ['shadow:a'], P)).toEqual(['shadow:a']);
  });
});

describe('property: key routing round-trips', () => {
  const key = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  );
  const prefix = fc.oneof(fc.constant(P), fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }));

  function expectRoundTrip(routedKey: RedisArg | undefined, original: RedisArg, prefixText: string): void {
    if (typeof original === 'string') {
      expect(typeof routedKey).toBe('string');
      const text = String(routedKey);
      expect(text.startsWith(prefixText)).toBe(true);
      expect(text.slice(prefixText.length)).toBe(original);
    } else {
      expect(Buffer.isBuffer(routedKey)).toBe(true);
      const bytes = routedKey as Buffer;
      const head = Buffer.from(prefixText);
      expect(bytes.subarray(0, head.length).equals(head)).toBe(true);
      expect(bytes.subarray(head.length).equals(original as Buffer)).toBe(true);
    }
    expect(hasPrefix(routedKey as RedisArg, prefixText)).toBe(true);
    expect(stripPrefix(routedKey, prefixText)).toEqual(original);
  }

  it('GET and SET: the routed key starts with the prefix and stripping it gives back the key; the value is untouched', () => {
    fc.assert(
      fc.property(key, key, prefix, (k, value, prefixText) => {
        const [got] = routed('get', [k], prefixText);
        expectRoundTrip(got, k, prefixText);
        const set = routed('SET', [k, value], prefixText);
        expectRoundTrip(set[0], k, prefixText);
        expect(set[1]).toBe(value);
        expect(set).toHaveLength(2);
      }),
      { numRuns: 300 },
    );
  });

  it('MSET: every key is routed and round-trips, every value is untouched', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, key), { minLength: 1, maxLength: 8 }), prefix, (pairs, prefixText) => {
        const args = pairs.flat();
        const result = routed('mset', args, prefixText);
        expect(result).toHaveLength(args.length);
        pairs.forEach(([k, value], index) => {
          expectRoundTrip(result[2 * index], k, prefixText);
          expect(result[2 * index + 1]).toBe(value);
        });
        expect(commandKeys('mset', result).every((routedKey) => hasPrefix(routedKey, prefixText))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('escaped prefixes match literally on a real redis-server', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('KEYS and SCAN with a metacharacter prefix find only the literally prefixed keys', async () => {
    const prefix = 'sh[a]dow*:';
    // Keys a glob `sh[a]dow*:*` would also match if the prefix were not escaped.
    for (const name of ['sh[a]dow*:u1', 'shadow:u1', 'shadowXYZ:u2', 'sh[a]dow*:other', 'u1']) await redis.raw.set(name, '1');
    const keysArgs = routed('keys', ['u*'], prefix);
    expect(((await redis.raw.call('KEYS', ...keysArgs.map(String))) as string[]).sort()).toEqual(['sh[a]dow*:u1']);
    const scanArgs = routed('scan', ['0', 'COUNT', '1000'], prefix);
    const [, scanned] = (await redis.raw.call('SCAN', ...scanArgs.map(String))) as [string, string[]];
    expect(scanned.sort()).toEqual(['sh[a]dow*:other', 'sh[a]dow*:u1']);
    expect(unrouteReply('keys', '', ['sh[a]dow*:u1'], prefix)).toEqual(['u1']);
  });
});

describe('routeToShadow: keyless writes and Buffer directives', () => {
  it.each(['save', 'bgsave', 'bgrewriteaof'])('refuses the keyless write/admin command %s', (name) => {
    expect(routeToShadow(name, [], P)).toMatchObject({ ok: false, reason: expect.stringMatching(/without naming keys/) });
  });

  it('still lets keyless reads through', () => {
    expect(routeToShadow('ping', [], P)).toEqual({ ok: true, args: [] });
    expect(routeToShadow('time', [], P)).toEqual({ ok: true, args: [] });
  });

  it('finds SORT STORE and MIGRATE keys given as Buffers', () => {
    expect(routeToShadow('sort', ['ids', Buffer.from('STORE'), 'dest'], P)).toEqual({ ok: true, args: [`${P}ids`, Buffer.from('STORE'), `${P}dest`] });
    const migrate = routeToShadow('migrate', ['h', 6379, Buffer.from(''), 0, 100, 'KEYS', 'a'], P);
    expect(migrate).toMatchObject({ ok: true });
    expect(migrate.ok && migrate.args.at(-1)).toBe(`${P}a`);
  });
});
