import type { DegradationFlags } from './degradation-flags.js';
import type { DemoStore } from './demo-store.js';
import { BadRequest, readJsonObject } from './http-json.js';
import { countField, idField } from './request-fields.js';
import type { Reply, Route } from './service-server.js';

/** The gift catalogue: id → name and price in coins. */
const GIFTS: Readonly<Record<string, { name: string; price: number }>> = {
  '1': { name: 'rose', price: 1 },
  '2': { name: 'heart', price: 10 },
  '3': { name: 'rocket', price: 100 },
  '4': { name: 'castle', price: 1000 },
  '5': { name: 'carnival', price: 5000 },
};
const MAX_COUNT = 9999;
const RANK_SHOWN = 10;

export interface GiftServiceDeps {
  store: DemoStore;
  flags: DegradationFlags;
}

export function giftRoutes({ store, flags }: GiftServiceDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/gift/send',
      name: 'gift-send',
      async handle(request): Promise<Reply> {
        const body = await readJsonObject(request);
        const room = idField(body['room_id'], 'room_id');
        const uid = idField(body['uid'], 'uid');
        const giftId = idField(body['gift_id'], 'gift_id');
        const gift = GIFTS[giftId];
        if (gift === undefined) throw new BadRequest(`gift_id ${giftId} is not in the catalogue (${Object.keys(GIFTS).join(', ')})`);
        const count = countField(body['count'] ?? 1, 'count', MAX_COUNT);
        const value = gift.price * count;
        await store.recordGift(room, uid, value);
        const effectsOff = flags.isOn('gift-effects-off');
        if (!effectsOff) await store.bumpRank(room, uid, value);
        return {
          status: 200,
          json: { ok: true, room_id: room, gift: gift.name, value, rank_updated: !effectsOff },
          ...(effectsOff ? { headers: { 'x-degraded': 'gift-effects-off' } } : {}),
        };
      },
    },
    {
      method: 'GET',
      path: '/gift/rank',
      name: 'gift-rank',
      async handle(_request, url): Promise<Reply> {
        const room = idField(url.searchParams.get('room_id') ?? undefined, 'room_id');
        return { status: 200, json: { room_id: room, rank: await store.rank(room, RANK_SHOWN) } };
      },
    },
  ];
}
