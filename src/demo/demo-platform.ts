import { randomBytes } from 'node:crypto';
import { createShadowAgent, ShadowSwitch } from '../shadow/index.js';
import { adminRoutes } from './admin-api.js';
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
import { roomRoutes } from './room-service.js';
import { startService, type Route, type RunningService } from './service-server.js';
import { withStoreFaults } from './store-faults.js';

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
  now?: () => number;
  random?: () => number;
}

export interface DemoPlatform {
  gatewayUrl: string;
  adminToken: string;
  services: readonly { name: string; url: string }[];
  storage: string;
  /** Where the data is when it is in Redis (the private one or the one given). */
  redisUrl?: string;
  shadowRouting: ShadowSwitch;
  flags: DegradationFlags;
  faults: FaultHooks;
  metrics: DemoMetrics;
  store: DemoStore;
  close(): Promise<void>;
}

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
  registerGauges(metrics, { flags, faults, hotRooms, shadowRouting });

  const started: RunningService[] = [];
  const dispatcher = createShadowAgent({}, { connections: 512, keepAliveTimeout: 4000 });
  const closeAll = async (): Promise<void> => {
    try {
      await Promise.all(started.map((service) => service.close()));
      await dispatcher.close();
      await rawStore.close();
    } finally {
      await privateRedis?.stop();
    }
  };
  try {
    const service = async (name: string, routes: Route[], faultTarget?: 'room-svc' | 'danmaku-svc' | 'gift-svc'): Promise<RunningService> => {
      const running = await startService({
        name,
        routes: [...routes, { method: 'GET', path: '/healthz', name: 'healthz', control: true, handle: async () => ({ status: 200, json: { status: 'ok', service: name } }) }],
        shadowRouting,
        metrics,
        faults,
        ...(faultTarget === undefined ? {} : { faultTarget }),
        host: '127.0.0.1',
        port: 0,
      });
      started.push(running);
      return running;
    };
    const upstreams = [
      await service('room-svc', roomRoutes({ store, flags, hotRooms, now }), 'room-svc'),
      await service('danmaku-svc', danmakuRoutes({ store, flags, now }), 'danmaku-svc'),
      await service('gift-svc', giftRoutes({ store, flags }), 'gift-svc'),
    ];
    const gatewayService = await startService({
      name: 'gateway',
      routes: [...gatewayRoutes(upstreams, dispatcher, metrics, () => store.health()), ...adminRoutes({ token: adminToken, flags, faults, hotRooms, shadowRouting })],
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
      services: upstreams.map(({ name, url }) => ({ name, url })),
      storage: privateRedis === undefined ? rawStore.describe() : `private redis-server ${privateRedis.url}, memory only, stops with the demo`,
      redisUrl,
      shadowRouting,
      flags,
      faults,
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
  state: { flags: DegradationFlags; faults: FaultHooks; hotRooms: HotRooms; shadowRouting: ShadowSwitch },
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
  metrics.registry.gauge('live_assure_demo_hot_rooms', 'Rooms whose info is served from the hot-room cache now.', () => [[{}, state.hotRooms.hot().length]]);
  metrics.registry.gauge('live_assure_demo_shadow_routing', 'Shadow routing: 1 when on; off means shadow requests are refused with 503.', () => [[{}, state.shadowRouting.enabled ? 1 : 0]]);
}
