import { isShadow } from '../shadow/index.js';
import type { DegradationFlags } from './degradation-flags.js';
import type { DemoStore } from './demo-store.js';
import { readJsonObject } from './http-json.js';
import { idField, textField } from './request-fields.js';
import type { Reply, Route } from './service-server.js';

const RECENT_SHOWN = 50;
const MAX_MESSAGE_CHARS = 200;

export interface DanmakuServiceDeps {
  store: DemoStore;
  flags: DegradationFlags;
  now: () => number;
}

export function danmakuRoutes({ store, flags, now }: DanmakuServiceDeps): Route[] {
  // Fixed one-second windows per room, kept apart for shadow and production: a load test must
  // never spend the limit real viewers are held to.
  const windows = new Map<string, { second: number; count: number }>();
  const admit = (room: string): boolean => {
    const second = Math.floor(now() / 1000);
    const key = `${isShadow() ? 'shadow' : 'production'}:${room}`;
    const window = windows.get(key);
    if (window === undefined || window.second !== second) {
      if (windows.size > 100_000) {
        for (const [stale, { second: at }] of windows) if (at !== second) windows.delete(stale);
      }
      windows.set(key, { second, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= flags.danmakuLimit;
  };

  return [
    {
      method: 'POST',
      path: '/danmaku/send',
      name: 'danmaku-send',
      async handle(request): Promise<Reply> {
        const body = await readJsonObject(request);
        const room = idField(body['room_id'], 'room_id');
        const uid = idField(body['uid'], 'uid');
        const msg = textField(body['msg'], 'msg', MAX_MESSAGE_CHARS);
        const limited = flags.isOn('danmaku-rate-limit');
        const degraded: Record<string, string> = limited ? { 'x-degraded': 'danmaku-rate-limit' } : {};
        if (limited && !admit(room)) {
          return {
            status: 429,
            json: { error: 'rate_limited', message: `room ${room} is limited to ${flags.danmakuLimit} danmaku per second` },
            headers: { ...degraded, 'retry-after': '1' },
          };
        }
        const at = now();
        await store.pushDanmaku(room, JSON.stringify({ uid, msg, at }));
        return { status: 200, json: { ok: true, room_id: room, at }, headers: degraded };
      },
    },
    {
      method: 'GET',
      path: '/danmaku/recent',
      name: 'danmaku-recent',
      async handle(_request, url): Promise<Reply> {
        const room = idField(url.searchParams.get('room_id') ?? undefined, 'room_id');
        const entries = await store.recentDanmaku(room, RECENT_SHOWN);
        return { status: 200, json: { room_id: room, danmaku: entries.map(parseEntry) } };
      },
    },
  ];
}

function parseEntry(entry: string): unknown {
  try {
    return JSON.parse(entry);
  } catch {
    return { msg: entry };
  }
}
