import { shadowStorageName, type ShadowSwitch } from '../shadow/index.js';
import { DANMAKU_KEPT, storageKeys, type DemoStore, type RankEntry } from './demo-store.js';

/** The demo's default storage: Redis-like structures in memory, keyed exactly as in Redis. */
export interface MemoryStore extends DemoStore {
  /** Every key held, as Redis would list it (shadow keys with their prefix). */
  keys(): string[];
}

export function createMemoryStore(routing: ShadowSwitch): MemoryStore {
  const hashes = new Map<string, Map<string, string>>();
  const lists = new Map<string, string[]>();
  const sortedSets = new Map<string, Map<string, number>>();
  const name = (key: string): string => shadowStorageName(key, { routing, service: 'the demo store' });
  const hash = (key: string): Map<string, string> => getOrCreate(hashes, name(key), () => new Map());

  return {
    async enterRoom(room, uid, at) {
      hash(storageKeys.roomEnter(room)).set(uid, String(at));
    },
    async roomViewers(rooms) {
      return rooms.map((room) => hashes.get(name(storageKeys.roomEnter(room)))?.size ?? 0);
    },
    async pushDanmaku(room, entry) {
      const list = getOrCreate(lists, name(storageKeys.danmaku(room)), () => []);
      list.unshift(entry);
      list.length = Math.min(list.length, DANMAKU_KEPT);
    },
    async recentDanmaku(room, count) {
      return (lists.get(name(storageKeys.danmaku(room))) ?? []).slice(0, count);
    },
    async recordGift(room, uid, value) {
      const ledger = hash(storageKeys.giftTotal(room));
      ledger.set(uid, String(Number(ledger.get(uid) ?? 0) + value));
    },
    async bumpRank(room, uid, value) {
      const rank = getOrCreate(sortedSets, name(storageKeys.giftRank(room)), () => new Map());
      rank.set(uid, (rank.get(uid) ?? 0) + value);
    },
    async rank(room, top) {
      const rank = sortedSets.get(name(storageKeys.giftRank(room))) ?? new Map<string, number>();
      return [...rank.entries()]
        .map(([uid, score]): RankEntry => ({ uid, score }))
        // Redis orders equal scores by member, descending, in ZREVRANGE.
        .sort((a, b) => b.score - a.score || (a.uid < b.uid ? 1 : a.uid > b.uid ? -1 : 0))
        .slice(0, top);
    },
    health: async () => 'ok',
    describe: () => 'in memory',
    async close() {},
    keys: () => [...hashes.keys(), ...lists.keys(), ...sortedSets.keys()].sort(),
  };
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
