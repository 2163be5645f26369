import { randomBytes } from 'node:crypto';
import { createShadowAgent, ShadowSwitch } from '../shadow/index.js';
import { adminRoutes } from './admin-api.js';
import { DanmakuFlood } from './danmaku-flood.js';
import { danmakuIntake } from './danmaku-intake.js';
import { danmakuRoutes } from './danmaku-service.js';
import { DegradationFlags, FLAG_NAMES } from './degradation-flags.js';
import { DemoMetrics } from './demo-metrics.js';
import type { DemoStore } from './demo-store.js';
import { FAULT_TARGETS, FaultHooks } from './fault-hooks.js';
import { gatewayRoutes } from './gateway.js';
import { giftRoutes } from './gift-service.js';
import { HotRooms } from './hot-rooms.js';
import { createMemoryStore } from './memory-store.js';
import { startPrivateRedis } from './private-redis.js';
import { RoomPush } from './room-push.js';
import { roomRoutes } from './room-service.js';
import { startService, type Route, type RunningService } from './service-server.js';
import { withStoreFaults } from './store-faults.js';
import type { DemoService, UpstreamOverrides } from './upstream-overrides.js';

export interface DemoOptions {
  /** Gateway address (default 127.0.0.1:8080; port 0 picks a free one). The services take free loopback ports. */
  host?: string;
  port?: number;
  /** Redis URL; without it (and without privateRedis), storage is in memory. */
  redisUrl?: string;
  /** Keep the data in a memory-only redis-server started here and stopped on close; excludes redisUrl. */
  privateRedis?: boolean;
  /** Bearer token for /admin; random when not given. */
  adminToken?: string;
  /** Whether shadow routing starts on (default true); off makes every service refuse shadow traffic. */
  shadowRouting?: boolean;
  /** Room-info requests per second above which a room is hot (default 50). */
  hotRoomPerSecond?: number;
  /** The gateway reaches these services at this `host:port` instead of their own address (e.g. through a fault proxy). */
  upstreams?: UpstreamOverrides;
  now?: () => number;
  random?: () => number;
}

/** A service of the platform: its own address, and the one the gateway reaches it through when that was overridden. */
export interface DemoServiceAddress {
  name: DemoService;
  url: string;
  gatewayVia?: string;
}

export interface DemoPlatform {
  gatewayUrl: string;
  adminToken: string;
  services: readonly DemoServiceAddress[];
  storage: string;
  /** Where the data is when it is in Redis (the private one or the one given). */
  redisUrl?: string;
  shadowRouting: ShadowSwitch;
  flags: DegradationFlags;
  faults: FaultHooks;
  flood: DanmakuFlood;
  metrics: DemoMetrics;
  store: DemoStore;
  close(): Promise<void>;
}

/** A room's push channel delivers this many danmaku a second (modelled only under a flood). */
const ROOM_PUSH_PER_SECOND = 100;
/** A danmaku waits at most this long for its push; beyond it the send is refused (503). */
const MAX_PUSH_WAIT_MS = 1000;

/** Starts the reference live platform: room, danmaku and gift services behind a gateway, on loopback. */
export async function startDemoPlatform(options: DemoOptions = {}): Promise<DemoPlatform> {
  const now = options.now ?? Date.now;
  const shadowRouting = new ShadowSwitch(options.shadowRouting ?? true);
  const flags = new DegradationFlags(now);
  const faults = new FaultHooks(options.random ?? Math.random);
  const hotRooms = new HotRooms(options.hotRoomPerSecond ?? 50, now);
  const metrics = new DemoMetrics();
  const adminToken = options.adminToken ?? randomBytes(16).toString('hex');

  if (options.privateRedis === true && options.redisUrl !== undefined) throw new Error('a private Redis or a Redis URL, not both');
  const privateRedis = options.privateRedis === true ? await startPrivateRedis() : undefined;
  const redisUrl = privateRedis?.url ?? options.redisUrl;
  const rawStore = await connectStore(redisUrl, shadowRouting).catch(async (error: unknown) => {
    await privateRedis?.stop();
    throw error;
  });
  const store = withStoreFaults(rawStore, faults);
  const push = new RoomPush(ROOM_PUSH_PER_SECOND, MAX_PUSH_WAIT_MS, now);
  const intake = danmakuIntake({ store, flags, push, now });
  const flood = new DanmakuFlood({ intake, push, now });
  registerGauges(metrics, { flags, faults, hotRooms, shadowRouting, flood });

  const started: RunningService[] = [];
  const dispatcher = createShadowAgent({}, { connections: 512, keepAliveTimeout: 4000 });
  const closeAll = async (): Promise<void> => {
    try {
      flood.stop();
      await Promise.all(started.map((service) => service.close()));
      await dispatcher.close();
      await rawStore.close();
    } finally {
      await privateRedis?.stop();
    }
  };
  try {
    const service = async (name: DemoService, routes: Route[]): Promise<DemoServiceAddress> => {
      const running = await startService({
        name,
        routes: [...routes, { method: 'GET', path: '/healthz', name: 'healthz', control: true, handle: async () => ({ status: 200, json: { status: 'ok', service: name } }) }],
        shadowRouting,
        metrics,
        faults,
        faultTarget: name,
        host: '127.0.0.1',
        port: 0,
      });
      started.push(running);
      const via = options.upstreams?.[name];
      return { name, url: running.url, ...(via === undefined ? {} : { gatewayVia: via }) };
    };
    const services = [
      await service('room-svc', roomRoutes({ store, flags, hotRooms, now })),
      await service('danmaku-svc', danmakuRoutes({ store, flags, intake, now })),
      await service('gift-svc', giftRoutes({ store, flags })),
    ];
    // An override is a plain TCP hop in front of the service (a fault proxy), so plain http:// to it.
    const upstreams = services.map(({ name, url, gatewayVia }) => ({ name, url: gatewayVia === undefined ? url : `http://${gatewayVia}` }));
    const gatewayService = await startService({
      name: 'gateway',
      routes: [...gatewayRoutes(upstreams, dispatcher, metrics, () => store.health()), ...adminRoutes({ token: adminToken, flags, faults, flood, hotRooms, shadowRouting })],
      shadowRouting,
      metrics,
      faults,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 8080,
    });
    started.push(gatewayService);
    return {
      gatewayUrl: gatewayService.url,
      adminToken,
      services,
      storage: privateRedis === undefined ? rawStore.describe() : `private redis-server ${privateRedis.url}, memory only, stops with the demo`,
      redisUrl,
      shadowRouting,
      flags,
      faults,
      flood,
      metrics,
      store: rawStore,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function connectStore(redisUrl: string | undefined, shadowRouting: ShadowSwitch): Promise<DemoStore> {
  if (redisUrl === undefined) return createMemoryStore(shadowRouting);
  return (await import('./redis-store.js')).connectRedisStore(redisUrl, shadowRouting);
}

function registerGauges(
  metrics: DemoMetrics,
  state: { flags: DegradationFlags; faults: FaultHooks; hotRooms: HotRooms; shadowRouting: ShadowSwitch; flood: DanmakuFlood },
): void {
  metrics.registry.gauge('live_assure_demo_flag_on', 'Degradation switches: 1 when on.', () =>
    FLAG_NAMES.map((flag) => [{ flag }, state.flags.isOn(flag) ? 1 : 0] as const),
  );
  metrics.registry.gauge('live_assure_demo_fault_active', 'Injected faults: 1 while a fault is set on the target.', () =>
    FAULT_TARGETS.map((target) => {
      const fault = state.faults.get(target);
      return [{ target }, fault.down || fault.latency_ms > 0 || fault.error_rate > 0 ? 1 : 0] as const;
    }),
  );
  metrics.registry.gauge('live_assure_demo_danmaku_flood_per_second', 'The simulated danmaku flood (PUT /admin/danmaku-flood): bot danmaku per second; 0 when none.', () => [[{}, state.flood.state().per_second]]);
  metrics.registry.gauge('live_assure_demo_hot_rooms', 'Rooms whose info is served from the hot-room cache now.', () => [[{}, state.hotRooms.hot().length]]);
  metrics.registry.gauge('live_assure_demo_shadow_routing', 'Shadow routing: 1 when on; off means shadow requests are refused with 503.', () => [[{}, state.shadowRouting.enabled ? 1 : 0]]);
}
