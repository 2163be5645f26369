import { request, type Dispatcher } from 'undici';
import type { DemoMetrics } from './demo-metrics.js';
import type { Route } from './service-server.js';
import { errorCode, forward } from './upstream-proxy.js';

/** The public API of the platform, and which service answers each route. */
const GATEWAY_ROUTES = [
  { method: 'GET', path: '/room/info', service: 'room-svc', name: 'room-info' },
  { method: 'GET', path: '/room/list', service: 'room-svc', name: 'room-list' },
  { method: 'POST', path: '/room/enter', service: 'room-svc', name: 'room-enter' },
  { method: 'POST', path: '/danmaku/send', service: 'danmaku-svc', name: 'danmaku-send' },
  { method: 'GET', path: '/danmaku/recent', service: 'danmaku-svc', name: 'danmaku-recent' },
  { method: 'POST', path: '/gift/send', service: 'gift-svc', name: 'gift-send' },
  { method: 'GET', path: '/gift/rank', service: 'gift-svc', name: 'gift-rank' },
] as const;

export interface Upstream {
  name: string;
  url: string;
}

const HEALTH_TIMEOUT_MS = 1000;

export function gatewayRoutes(upstreams: readonly Upstream[], dispatcher: Dispatcher, metrics: DemoMetrics, storeHealth: () => Promise<string>): Route[] {
  const byName = new Map(upstreams.map((upstream) => [upstream.name, upstream]));
  const proxied = GATEWAY_ROUTES.map((route): Route => {
    const upstream = byName.get(route.service);
    if (upstream === undefined) throw new Error(`no upstream ${route.service}`);
    return { method: route.method, path: route.path, name: route.name, handle: (incoming, url) => forward(dispatcher, upstream, incoming, url) };
  });
  return [
    ...proxied,
    {
      method: 'GET',
      path: '/healthz',
      name: 'healthz',
      control: true,
      async handle() {
        const [checks, store] = await Promise.all([
          Promise.all(upstreams.map(async (upstream) => [upstream.name, await health(dispatcher, upstream)] as const)),
          storeHealth(),
        ]);
        const healthy = store === 'ok' && checks.every(([, status]) => status === 'ok');
        return { status: healthy ? 200 : 503, json: { status: healthy ? 'ok' : 'degraded', services: Object.fromEntries(checks), store } };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      name: 'metrics',
      control: true,
      handle: async () => ({ status: 200, text: metrics.registry.render(), headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } }),
    },
  ];
}

async function health(dispatcher: Dispatcher, upstream: Upstream): Promise<string> {
  try {
    const response = await request(`${upstream.url}/healthz`, { dispatcher, headersTimeout: HEALTH_TIMEOUT_MS, bodyTimeout: HEALTH_TIMEOUT_MS });
    await response.body.dump();
    return response.statusCode === 200 ? 'ok' : `unhealthy: HTTP ${response.statusCode}`;
  } catch (error) {
    return `down: ${error instanceof Error ? (errorCode(error) ?? error.message) : String(error)}`;
  }
}
