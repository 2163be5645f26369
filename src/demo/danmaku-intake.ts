import { isShadow } from '../shadow/index.js';
import type { DegradationFlags } from './degradation-flags.js';
import type { DemoStore } from './demo-store.js';
import type { RoomPush } from './room-push.js';

/** What became of one danmaku: refused by the room's limit, refused by a full push backlog, or stored and waiting `pushWaitMs` for its push. */
export type IntakeOutcome = { outcome: 'limited' } | { outcome: 'backlog' } | { outcome: 'sent'; pushWaitMs: number };

export interface DanmakuIntakeDeps {
  store: DemoStore;
  flags: DegradationFlags;
  push: RoomPush;
  now: () => number;
}

/** Takes in one danmaku the way danmaku-svc does, whoever sends it (a viewer's request or the flood's bots). */
export type DanmakuIntake = (room: string, entry: string) => Promise<IntakeOutcome>;

export function danmakuIntake({ store, flags, push, now }: DanmakuIntakeDeps): DanmakuIntake {
  // A token bucket per room: `limit` a second, refilled continuously, at most `limit` at once. A
  // flood then gets through evenly, a turn every 1/limit s, not as one burst at the top of each
  // second that the push channel would take a while to clear. Buckets are kept apart for shadow and
  // production: a load test must never spend the limit real viewers are held to.
  const buckets = new Map<string, { tokens: number; at: number }>();
  const admit = (room: string): boolean => {
    const limit = flags.danmakuLimit;
    const at = now();
    const key = `${isShadow() ? 'shadow' : 'production'}:${room}`;
    const bucket = buckets.get(key);
    if (bucket === undefined) {
      if (buckets.size > 100_000) {
        // Full buckets are the same as no bucket: forget them.
        for (const [idle, { tokens, at: since }] of buckets) if (tokens + ((at - since) / 1000) * limit >= limit) buckets.delete(idle);
      }
      buckets.set(key, { tokens: limit - 1, at });
      return true;
    }
    bucket.tokens = Math.min(limit, bucket.tokens + ((at - bucket.at) / 1000) * limit);
    bucket.at = at;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  return async (room, entry) => {
    // The limit comes first: a danmaku it refuses costs neither storage nor a turn on the push channel.
    if (flags.isOn('danmaku-rate-limit') && !admit(room)) return { outcome: 'limited' };
    const pushWaitMs = push.claim(room);
    if (pushWaitMs === undefined) return { outcome: 'backlog' };
    await store.pushDanmaku(room, entry);
    return { outcome: 'sent', pushWaitMs };
  };
}
