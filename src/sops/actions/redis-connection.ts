import type { Redis } from 'ioredis';
import { connectFailFastRedis } from '../../shadow/fail-fast-redis.js';
import type { ActionContext } from './action-context.js';
import type { RedisCall } from './sop-action.js';

/** The step's own URL, else the demo platform's Redis; undefined when neither is known. */
export function redisUrlFor(call: RedisCall, ctx: Pick<ActionContext, 'defaultRedisUrl'>): string | undefined {
  return call.url ?? ctx.defaultRedisUrl;
}

/**
 * Runs `work` on a connection that fails fast (short connect timeout, no reconnecting: a Redis that
 * is not there fails the step instead of hanging it) and is closed afterwards.
 */
export async function withRedis<T>(url: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = await connectFailFastRedis(url);
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}
