import type { DanmakuIntake } from './danmaku-intake.js';
import type { DegradationFlags } from './degradation-flags.js';
import type { DemoStore } from './demo-store.js';
import { delay } from './fault-hooks.js';
import { readJsonObject } from './http-json.js';
import { idField, textField } from './request-fields.js';
import type { Reply, Route } from './service-server.js';

const RECENT_SHOWN = 50;
const MAX_MESSAGE_CHARS = 200;

export interface DanmakuServiceDeps {
  store: DemoStore;
  flags: DegradationFlags;
  intake: DanmakuIntake;
  now: () => number;
}

export function danmakuRoutes({ store, flags, intake, now }: DanmakuServiceDeps): Route[] {
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
        const degraded: Record<string, string> = flags.isOn('danmaku-rate-limit') ? { 'x-degraded': 'danmaku-rate-limit' } : {};
        const at = now();
        const taken = await intake(room, JSON.stringify({ uid, msg, at }));
        if (taken.outcome === 'limited') {
          return {
            status: 429,
            json: { error: 'rate_limited', message: `room ${room} is limited to ${flags.danmakuLimit} danmaku per second` },
            headers: { ...degraded, 'retry-after': '1' },
          };
        }
        if (taken.outcome === 'backlog') {
          return {
            status: 503,
            json: { error: 'push_backlog', message: `room ${room}'s push channel is backed up; try again shortly` },
            headers: { ...degraded, 'retry-after': '1' },
          };
        }
        await delay(taken.pushWaitMs);
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
