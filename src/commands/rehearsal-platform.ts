import { startEmbeddedDemo, type EmbeddedDemo } from '../demo/embedded-demo.js';
import { startPrivateRedis, type PrivateRedis } from '../demo/private-redis.js';
import { DEMO_SERVICES } from '../demo/upstream-overrides.js';
import { createFaultProxies } from '../faults/fault-proxies.js';
import type { FaultProxySet } from '../faults/proxy-model.js';

/** The proxy in front of the demo's Redis: SOPs name it `store`, like the demo's fault target. */
export const STORE_PROXY = 'store';

/** Every fault proxy of the rehearsal platform: its Redis, and each service as the gateway reaches it. */
export const REHEARSAL_PROXIES = [STORE_PROXY, ...DEMO_SERVICES] as const;

/** The demo platform as a rehearsal needs it: its Redis and its services reached only through fault proxies. */
export interface RehearsalPlatform {
  demo: EmbeddedDemo;
  proxies: FaultProxySet;
  /** The Redis itself, not the proxy: what undo steps and checks look at directly. */
  redisUrl: string;
  stop(): Promise<void>;
}

// Where a service proxy points until the service's port is known: a port nothing listens on, so a
// request that came too early would fail loudly rather than reach the wrong thing.
const NOT_YET_KNOWN = '127.0.0.1:1';

/**
 * A private redis-server and the demo, with a fault proxy named as SOPs name it in front of the
 * Redis (`store`) and of each service (`room-svc`, `danmaku-svc`, `gift-svc`) on the gateway's
 * side: a toxic on `gift-svc` is a slow or broken gift service as the gateway meets it.
 */
export async function startRehearsalPlatform(nodePath: string, options: { seed: number; adminToken: string }): Promise<RehearsalPlatform> {
  const started: { redis?: PrivateRedis; proxies?: FaultProxySet; demo?: EmbeddedDemo } = {};
  const stop = async (): Promise<void> => {
    // The demo first (it holds connections through the proxies), the Redis last.
    await started.demo?.stop();
    await started.proxies?.close();
    await started.redis?.stop();
  };
  try {
    started.redis = await startPrivateRedis();
    const proxies = (started.proxies = createFaultProxies({ seed: options.seed }));
    const store = await proxies.create({ name: STORE_PROXY, listen: '127.0.0.1:0', upstream: `127.0.0.1:${started.redis.port}` });
    // The services take free ports when the demo starts, but the gateway must know its proxies by
    // then: the proxies first, pointed at the services once the demo has said where they are.
    const upstreamArgs: string[] = [];
    for (const service of DEMO_SERVICES) {
      const proxy = await proxies.create({ name: service, listen: '127.0.0.1:0', upstream: NOT_YET_KNOWN });
      upstreamArgs.push('--upstream', `${service}=${proxy.listen}`);
    }
    started.demo = await startEmbeddedDemo(nodePath, ['--redis', `redis://${store.listen}`, '--admin-token', options.adminToken, ...upstreamArgs]);
    for (const service of DEMO_SERVICES) {
      const own = started.demo.services.find((candidate) => candidate.name === service);
      if (own === undefined) throw new Error(`the embedded demo did not say where ${service} is`);
      // Changing the upstream restarts the proxy on the same port, dropping its connections: done
      // before any request, so no keep-alive connection of the gateway is there to be dropped.
      await proxies.update(service, { upstream: new URL(own.url).host });
    }
    return { demo: started.demo, proxies, redisUrl: started.redis.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
