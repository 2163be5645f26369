import { describe, expect, it } from 'vitest';
import { auditIsolation } from '../../src/shadow/isolation-audit.js';
import type { IsolationStore } from '../../src/shadow/isolation-stores.js';
import { escapeRedisGlob } from '../../src/shadow/redis-glob.js';
import type { WriteRecord } from '../../src/shadow/write-record.js';
import { isolationStoreOn, usePrivateRedis } from '../helpers/redis-server.js';

const PREFIX = 'la~run-1~';
const UID = '9000012345';

const redis = usePrivateRedis();
const store = isolationStoreOn(redis);

const written = (key: string, tokens: string[], step = 'send'): WriteRecord => ({ step, keys: [{ store: 'r', key }], tokens });
const danmaku = [{ store: 'r', glob: 'danmaku:*' }];

describe('auditIsolation', () => {
  it('reads the sampled writes\' production keys again and reports each token found there', async () => {
    await redis.raw.rpush('danmaku:7', 'a real user', `leaked ${PREFIX}3.0`);
    await redis.raw.sadd('viewers:7', '1001', UID);
    await redis.raw.rpush('shadow:danmaku:8', `fine ${PREFIX}4.0`);
    const sample = [written('danmaku:7', [`${PREFIX}3.0`]), written('viewers:7', [UID], 'join'), written('danmaku:8', [`${PREFIX}4.0`])];
    const report = await auditIsolation([store], { sample, shapes: [], markerPrefix: PREFIX });
    expect(report.writes_checked).toBe(3);
    expect(report.production_keys_checked).toBe(3);
    expect(report.production_hits).toBe(2);
    expect(report.hits).toEqual(
      expect.arrayContaining([
        { store: 'r', key: 'danmaku:7', type: 'list', token: `${PREFIX}3.0`, where: 'list element 1', excerpt: `leaked ${PREFIX}3.0`, step: 'send' },
        { store: 'r', key: 'viewers:7', type: 'set', token: UID, where: 'set member', excerpt: UID, step: 'join' },
      ]),
    );
  });

  it('finds the run\'s marker in a production key of a declared shape that no sampled write named', async () => {
    await redis.raw.rpush('danmaku:99', 'a real user', `leaked ${PREFIX}8123.0`);
    // Another run's marker, and a key of a shape the scenario does not write: neither is this run's leak.
    await redis.raw.rpush('danmaku:98', 'la~run-12~5.0');
    await redis.raw.set('other:1', `${PREFIX}1.0`);
    const report = await auditIsolation([store], { sample: [written('danmaku:7', [`${PREFIX}1.0`])], shapes: danmaku, markerPrefix: PREFIX });
    expect(report.production_hits).toBe(1);
    expect(report.hits).toEqual([{ store: 'r', key: 'danmaku:99', type: 'list', token: PREFIX, where: 'list element 1', excerpt: `leaked ${PREFIX}8123.0` }]);
    expect(report.marker_scan_complete).toBe(true);
    // The sampled key (absent) and the two production keys of the shape.
    expect(report.production_keys_checked).toBe(3);
  });

  it('does not count keys under the shadow prefix as production, even when a shape\'s glob matches them', async () => {
    // `{{region}}:danmaku:{{room}}` makes `*:danmaku:*`, which the shadow copies match too.
    await redis.raw.rpush('shadow:eu:danmaku:7', `${PREFIX}1.0`);
    await redis.raw.rpush('eu:danmaku:7', 'a real user');
    const report = await auditIsolation([store], { sample: [], shapes: [{ store: 'r', glob: '*:danmaku:*' }], markerPrefix: PREFIX });
    expect(report).toMatchObject({ production_hits: 0, hits: [], production_keys_checked: 1 });
    expect(report.shadow_keys).toEqual({ r: 1 });
  });

  it('counts every key under the prefix as a shadow key (what cleanup deletes), and nothing that only looks like one', async () => {
    await redis.raw.mset('shadow:danmaku:1', 'x', 'shadow:danmaku:2', 'x', 'shadow:viewers:1', 'x', 'shadow:other:1', 'x', 'danmaku:3', 'x', 'shadowdanmaku:4', 'x');
    const report = await auditIsolation([store], { sample: [], shapes: [...danmaku, { store: 'r', glob: 'viewers:*' }, { store: 'elsewhere', glob: 'other:*' }], markerPrefix: PREFIX });
    expect(report.shadow_keys).toEqual({ r: 4 });
  });

  it('takes glob characters in key shapes and in the prefix literally', async () => {
    const odd: IsolationStore = { ...store, prefix: 'sh*dow:' };
    // Shapes come escaped (as from a template): `rank[eu]:{{room}}` is `rank\[eu\]:*`.
    const shape = { store: 'r', glob: `${escapeRedisGlob('rank[eu]:')}*` };
    await redis.raw.mset('sh*dow:rank[eu]:1', 'x', 'shXYdow:rank[eu]:2', 'x', 'sh*dow:ranke:3', 'x', 'rank[eu]:4', `${PREFIX}2.0`, 'ranke:5', `${PREFIX}3.0`);
    const report = await auditIsolation([odd], { sample: [], shapes: [shape], markerPrefix: PREFIX });
    // `shXYdow:` is not under the literal `sh*dow:`.
    expect(report.shadow_keys).toEqual({ r: 2 });
    expect(report.hits.map((hit) => hit.key)).toEqual(['rank[eu]:4']);
    expect(report.production_keys_checked).toBe(1);
  });

  it('says when the marker scan stopped at its bound', async () => {
    const keys = Array.from({ length: 10_050 }, (_, index) => [`danmaku:${index}`, 'a real user']).flat();
    await redis.raw.mset(...keys);
    const report = await auditIsolation([store], { sample: [], shapes: danmaku, markerPrefix: PREFIX });
    expect(report.marker_scan_complete).toBe(false);
    expect(report.production_keys_checked).toBe(10_000);
    expect(report.production_hits).toBe(0);
  });
});
