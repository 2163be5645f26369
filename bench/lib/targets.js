const SHADOW_HEADER = 'x-live-assure-shadow';
const DANMAKU_BODY = JSON.stringify({ room_id: 1, uid: 42, msg: 'bench' });

/** Above this share of socket errors, timeouts and non-2xx answers a target's run fails. */
export const MAX_ERROR_RATE = 0.01;

export const TARGETS = [
  { id: 'bare', label: 'bare node:http', server: 'bare', method: 'GET', path: '/', headers: {}, wrk: true },
  { id: 'room-info', label: 'gateway GET /room/info', server: 'demo', method: 'GET', path: '/room/info?room_id=1', headers: {}, wrk: true },
  {
    id: 'danmaku-send',
    label: 'gateway POST /danmaku/send',
    server: 'demo',
    method: 'POST',
    path: '/danmaku/send',
    headers: { 'content-type': 'application/json' },
    body: DANMAKU_BODY,
    wrk: false,
  },
  { id: 'room-info-shadow', label: 'gateway GET /room/info shadow', server: 'demo', method: 'GET', path: '/room/info?room_id=1', headers: { [SHADOW_HEADER]: 'bench-1' }, wrk: false },
];
