import { startEmbeddedDemo, type EmbeddedDemo } from '../demo/embedded-demo.js';
import { startPrivateRedis, type PrivateRedis } from '../demo/private-redis.js';
import { createFaultProxies } from '../faults/fault-proxies.js';
import type { FaultProxySet } from '../faults/proxy-model.js';

/** The proxy in front of the demo's Redis: SOPs name it `store`, like the demo's fault target. */
export const STORE_PROXY = 'store';

/** The demo platform as a rehearsal needs it: its Redis reached only through a fault proxy. */
export interface RehearsalPlatform {
  demo: EmbeddedDemo;
  proxies: FaultProxySet;
  /** The Redis itself, not the proxy: what undo steps and checks look at directly. */
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * A private redis-server, a fault proxy `store` in front of it, and the demo keeping its data
 * through that proxy: a toxic on `store` is a slow or broken Redis as the services meet it.
 */
export async function startRehearsalPlatform(nodePath: string, options: { seed: number; adminToken: string }): Promise<RehearsalPlatform> {
  const started: { redis?: PrivateRedis; proxies?: FaultProxySet; demo?: EmbeddedDemo } = {};
  const stop = async (): Promise<void> => {
    // The demo first (it holds connections through the proxy), the Redis last.
    await started.demo?.stop();
    await started.proxies?.close();
    await started.redis?.stop();
  };
  try {
    started.redis = await startPrivateRedis();
    started.proxies = createFaultProxies({ seed: options.seed });
    const store = await started.proxies.create({ name: STORE_PROXY, listen: '127.0.0.1:0', upstream: `127.0.0.1:${started.redis.port}` });
    started.demo = await startEmbeddedDemo(nodePath, ['--redis', `redis://${store.listen}`, '--admin-token', options.adminToken]);
    return { demo: started.demo, proxies: started.proxies, redisUrl: started.redis.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
