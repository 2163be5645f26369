import { createShadowAwareCache } from '../shadow/index.js';
import type { DegradationFlags } from './degradation-flags.js';
import type { DemoStore } from './demo-store.js';
import type { HotRooms } from './hot-rooms.js';
import { readJsonObject } from './http-json.js';
import { idField } from './request-fields.js';
import type { Reply, Route } from './service-server.js';

/** Rooms shown by `/room/list`: the first ones of the catalogue, most watched first. */
const LISTED_ROOMS = 20;
/** How long a hot room's info may be served from the local cache. */
const HOT_CACHE_MS = 1000;

interface RoomInfo {
  room_id: string;
  title: string;
  viewers: number;
}

export interface RoomServiceDeps {
  store: DemoStore;
  flags: DegradationFlags;
  hotRooms: HotRooms;
  now: () => number;
}

export function roomRoutes({ store, flags, hotRooms, now }: RoomServiceDeps): Route[] {
  // Shadow-aware, so a load test's room info can neither be read by viewers nor overwrite theirs.
  const cache = createShadowAwareCache<{ info: RoomInfo; at: number }>({ maxEntries: 50_000 });
  const load = async (room: string): Promise<RoomInfo> => {
    const [viewers = 0] = await store.roomViewers([room]);
    const info = { room_id: room, title: `Room ${room}`, viewers };
    cache.set(room, { info, at: now() });
    return info;
  };

  return [
    {
      method: 'GET',
      path: '/room/info',
      name: 'room-info',
      async handle(_request, url): Promise<Reply> {
        const room = idField(url.searchParams.get('room_id') ?? undefined, 'room_id');
        const hot = hotRooms.hit(room);
        if (flags.isOn('room-info-local-cache')) {
          const cached = cache.get(room);
          const info = cached?.info ?? { room_id: room, title: `Room ${room}`, viewers: 0 };
          return {
            status: 200,
            json: { ...info, hot, served_from: 'local-cache', stale_ms: cached === undefined ? null : now() - cached.at },
            headers: { 'x-degraded': 'room-info-local-cache' },
          };
        }
        const cached = cache.get(room);
        if (hot && cached !== undefined && now() - cached.at < HOT_CACHE_MS) {
          return { status: 200, json: { ...cached.info, hot, served_from: 'hot-room-cache' }, headers: { 'x-hot-room': room } };
        }
        return { status: 200, json: { ...(await load(room)), hot, served_from: 'storage' }, ...(hot ? { headers: { 'x-hot-room': room } } : {}) };
      },
    },
    {
      method: 'GET',
      path: '/room/list',
      name: 'room-list',
      async handle(): Promise<Reply> {
        const rooms = Array.from({ length: LISTED_ROOMS }, (_, index) => String(index + 1));
        const viewers = await store.roomViewers(rooms);
        const listed = rooms
          .map((room, index) => ({ room_id: room, title: `Room ${room}`, viewers: viewers[index] ?? 0 }))
          .sort((a, b) => b.viewers - a.viewers);
        return { status: 200, json: { rooms: listed } };
      },
    },
    {
      method: 'POST',
      path: '/room/enter',
      name: 'room-enter',
      async handle(request): Promise<Reply> {
        const body = await readJsonObject(request);
        const room = idField(body['room_id'], 'room_id');
        const uid = idField(body['uid'], 'uid');
        await store.enterRoom(room, uid, now());
        return { status: 200, json: { ok: true, room_id: room, uid } };
      },
    },
  ];
}
