/**
 * What the demo's services keep, and where. The key names are a contract (the README lists
 * them): load tests and leak audits look for exactly these, with `shadow:` in front for shadow work.
 */
export const storageKeys = {
  danmaku: (room: string) => `danmaku:${room}`,
  giftRank: (room: string) => `gift:rank:${room}`,
  giftTotal: (room: string) => `gift:total:${room}`,
  roomEnter: (room: string) => `room:enter:${room}`,
} as const;

/** How many danmaku a room keeps. */
export const DANMAKU_KEPT = 200;

export interface RankEntry {
  uid: string;
  score: number;
}

/** The storage operations of the demo's services; every implementation routes shadow work to `shadow:` keys. */
export interface DemoStore {
  /** HSET room:enter:<room> <uid> <at>. */
  enterRoom(room: string, uid: string, at: number): Promise<void>;
  /** HLEN room:enter:<room> for each room, in one round trip. */
  roomViewers(rooms: readonly string[]): Promise<number[]>;
  /** LPUSH danmaku:<room> <entry>, then LTRIM to the newest DANMAKU_KEPT, atomically. */
  pushDanmaku(room: string, entry: string): Promise<void>;
  /** LRANGE danmaku:<room> 0 <count-1>, newest first. */
  recentDanmaku(room: string, count: number): Promise<string[]>;
  /** HINCRBY gift:total:<room> <uid> <value>: the gift ledger, always written. */
  recordGift(room: string, uid: string, value: number): Promise<void>;
  /** ZINCRBY gift:rank:<room> <value> <uid>: the rank effect that `gift-effects-off` skips. */
  bumpRank(room: string, uid: string, value: number): Promise<void>;
  /** ZREVRANGE gift:rank:<room> 0 <top-1> WITHSCORES. */
  rank(room: string, top: number): Promise<RankEntry[]>;
  /** `ok`, or why storage cannot serve now. */
  health(): Promise<string>;
  /** Where the data lives, for the start banner. */
  describe(): string;
  close(): Promise<void>;
}

/** Storage is down or failing: the service answers 503 rather than pretending. */
export class StoreUnavailable extends Error {}

/** The same store with `around` wrapped about every storage operation (health, describe and close pass through). */
export function aroundOperations(store: DemoStore, around: <R>(operation: () => Promise<R>) => Promise<R>): DemoStore {
  return {
    enterRoom: (...args) => around(() => store.enterRoom(...args)),
    roomViewers: (...args) => around(() => store.roomViewers(...args)),
    pushDanmaku: (...args) => around(() => store.pushDanmaku(...args)),
    recentDanmaku: (...args) => around(() => store.recentDanmaku(...args)),
    recordGift: (...args) => around(() => store.recordGift(...args)),
    bumpRank: (...args) => around(() => store.bumpRank(...args)),
    rank: (...args) => around(() => store.rank(...args)),
    health: () => store.health(),
    describe: () => store.describe(),
    close: () => store.close(),
  };
}
