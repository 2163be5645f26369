import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { ShadowSwitch } from '../shadow/index.js';
import type { DanmakuFlood } from './danmaku-flood.js';
import { FLAG_NAMES, isFlagName, type DegradationFlags } from './degradation-flags.js';
import { FAULT_TARGETS, faultTarget, type Fault, type FaultHooks } from './fault-hooks.js';
import type { HotRooms } from './hot-rooms.js';
import { BadRequest, readJsonObject } from './http-json.js';
import { idField } from './request-fields.js';
import type { Reply, Route } from './service-server.js';

export interface AdminDeps {
  token: string;
  flags: DegradationFlags;
  faults: FaultHooks;
  flood: DanmakuFlood;
  hotRooms: HotRooms;
  shadowRouting: ShadowSwitch;
}

const MAX_LATENCY_MS = 60_000;
const MAX_FLOOD_PER_SECOND = 10_000;

/** `/admin/*` on the gateway: the levers SOPs pull, behind a bearer token. */
export function adminRoutes(deps: AdminDeps): Route[] {
  const guarded = (route: Route): Route => ({
    ...route,
    control: true,
    handle: async (request, url, parameter) => authorised(request, deps.token) ?? route.handle(request, url, parameter),
  });
  const routes: Route[] = [
    { method: 'GET', path: '/admin/flags', name: 'admin-flags', handle: async () => ({ status: 200, json: { flags: deps.flags.all() } }) },
    { method: 'PUT', path: '/admin/flags/', name: 'admin-flags', handle: (request, _url, name) => putFlag(deps.flags, request, name) },
    { method: 'GET', path: '/admin/faults', name: 'admin-faults', handle: async () => ({ status: 200, json: { faults: deps.faults.all() } }) },
    { method: 'PUT', path: '/admin/faults/', name: 'admin-faults', handle: (request, _url, target) => putFault(deps.faults, request, target) },
    { method: 'DELETE', path: '/admin/faults/', name: 'admin-faults', handle: async (_request, _url, target) => clearFault(deps.faults, target) },
    {
      method: 'DELETE',
      path: '/admin/faults',
      name: 'admin-faults',
      handle: async () => (deps.faults.clear(), { status: 200, json: { faults: deps.faults.all() } }),
    },
    { method: 'GET', path: '/admin/danmaku-flood', name: 'admin-danmaku-flood', handle: async () => ({ status: 200, json: deps.flood.state() }) },
    {
      method: 'PUT',
      path: '/admin/danmaku-flood',
      name: 'admin-danmaku-flood',
      async handle(request) {
        const body = await readJsonObject(request);
        onlyKeys(body, ['room_id', 'per_second']);
        const room = idField(body['room_id'], 'room_id');
        return { status: 200, json: deps.flood.start(room, integerField(body['per_second'], 'per_second', 1, MAX_FLOOD_PER_SECOND)) };
      },
    },
    { method: 'DELETE', path: '/admin/danmaku-flood', name: 'admin-danmaku-flood', handle: async () => ({ status: 200, json: deps.flood.stop() }) },
    { method: 'GET', path: '/admin/shadow-routing', name: 'admin-shadow-routing', handle: async () => ({ status: 200, json: { on: deps.shadowRouting.enabled } }) },
    {
      method: 'PUT',
      path: '/admin/shadow-routing',
      name: 'admin-shadow-routing',
      async handle(request) {
        const body = await readJsonObject(request);
        onlyKeys(body, ['on']);
        deps.shadowRouting.set(booleanField(body['on'], 'on'));
        return { status: 200, json: { on: deps.shadowRouting.enabled } };
      },
    },
    {
      method: 'GET',
      path: '/admin/hot-rooms',
      name: 'admin-hot-rooms',
      handle: async () => ({ status: 200, json: { hot_rooms: deps.hotRooms.hot().map(({ room, perSecond }) => ({ room_id: room, per_second: Math.round(perSecond * 10) / 10 })) } }),
    },
  ];
  return routes.map(guarded);
}

function authorised(request: IncomingMessage, token: string): Reply | undefined {
  const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (given !== undefined && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token))) return undefined;
  return {
    status: 401,
    json: { error: 'unauthorized', message: 'admin endpoints need "Authorization: Bearer <token>" with the token live-assure demo printed' },
    headers: { 'www-authenticate': 'Bearer realm="live-assure demo admin"' },
  };
}

async function putFlag(flags: DegradationFlags, request: IncomingMessage, name: string): Promise<Reply> {
  if (!isFlagName(name)) return { status: 404, json: { error: 'unknown_flag', message: `no flag ${name}; flags: ${FLAG_NAMES.join(', ')}` } };
  const body = await readJsonObject(request);
  onlyKeys(body, name === 'danmaku-rate-limit' ? ['on', 'limit'] : ['on']);
  const on = booleanField(body['on'], 'on');
  const limit = body['limit'] === undefined ? undefined : integerField(body['limit'], 'limit', 1, 1_000_000);
  return { status: 200, json: flags.set(name, on, limit) };
}

async function putFault(faults: FaultHooks, request: IncomingMessage, name: string): Promise<Reply> {
  const target = faultTarget(name);
  if (target === undefined) return { status: 404, json: { error: 'unknown_fault_target', message: `no fault target ${name}; targets: ${FAULT_TARGETS.join(', ')}` } };
  const body = await readJsonObject(request);
  onlyKeys(body, ['latency_ms', 'error_rate', 'down']);
  const fault: Fault = {
    latency_ms: body['latency_ms'] === undefined ? 0 : integerField(body['latency_ms'], 'latency_ms', 0, MAX_LATENCY_MS),
    error_rate: body['error_rate'] === undefined ? 0 : rateField(body['error_rate']),
    down: body['down'] === undefined ? false : booleanField(body['down'], 'down'),
  };
  faults.set(target, fault);
  return { status: 200, json: { target, ...fault } };
}

function clearFault(faults: FaultHooks, name: string): Reply {
  const target = faultTarget(name);
  if (target === undefined) return { status: 404, json: { error: 'unknown_fault_target', message: `no fault target ${name}; targets: ${FAULT_TARGETS.join(', ')}` } };
  faults.set(target, { latency_ms: 0, error_rate: 0, down: false });
  return { status: 200, json: { target, ...faults.get(target) } };
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new BadRequest(`unknown field ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
}

function booleanField(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new BadRequest(`${field} must be true or false`);
  return value;
}

function integerField(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new BadRequest(`${field} must be an integer from ${min} to ${max}`);
  return value;
}

function rateField(value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new BadRequest('error_rate must be a number from 0 to 1');
  return value;
}
