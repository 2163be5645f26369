import { once } from 'node:events';
import { startDemoPlatform, type DemoPlatform } from '../demo/demo-platform.js';
import { PrivateRedisFailed } from '../demo/private-redis.js';
import { RedisUnreachable } from '../demo/redis-store.js';
import { ListenFailed } from '../demo/service-server.js';
import { parseUpstreamOverrides, type UpstreamOverrides } from '../demo/upstream-overrides.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { demoBanner } from './demo-banner.js';

export interface DemoCommandOptions {
  port: string;
  host: string;
  redis?: string;
  adminToken?: string;
  shadowRouting: boolean;
  hotRoomQps: string;
  /** Keep the data in a memory-only redis-server started and stopped with the demo. */
  privateRedis?: boolean;
  /** `<service>=<host:port>`, repeatable: the gateway reaches that service there instead (e.g. a fault proxy in front of it). */
  upstream?: string[];
  json?: boolean;
  /** Started by another live-assure command: print one JSON line, stop when stdin closes. */
  embedded?: boolean;
}

export async function runDemo(options: DemoCommandOptions, io: Io): Promise<number> {
  const port = /^\d{1,5}$/.test(options.port) ? Number(options.port) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new UsageError(`--port must be a port number from 0 to 65535, not ${options.port}`);
  const hotRoomPerSecond = Number(options.hotRoomQps);
  if (!(hotRoomPerSecond > 0 && Number.isFinite(hotRoomPerSecond))) throw new UsageError(`--hot-room-qps must be a positive number, not ${options.hotRoomQps}`);
  if (options.redis !== undefined && options.privateRedis === true) {
    throw new UsageError('--private-redis and --redis exclude each other: give one or the other');
  }
  if (options.redis !== undefined && !/^rediss?:\/\/[^/]/.test(options.redis)) {
    throw new UsageError(`--redis must be a redis:// or rediss:// URL, not ${options.redis}`, 'for example --redis redis://127.0.0.1:6379/0');
  }
  const upstreams = parseUpstreamOverrides(options.upstream ?? []);
  if ('error' in upstreams) throw new UsageError(upstreams.error);
  // The token live-assure's own commands name in control requests (`${env:LIVE_ASSURE_ADMIN_TOKEN}`) is the default.
  options = { ...options, ...(options.adminToken === undefined && io.env['LIVE_ASSURE_ADMIN_TOKEN'] !== undefined ? { adminToken: io.env['LIVE_ASSURE_ADMIN_TOKEN'] } : {}) };
  if (options.adminToken !== undefined && !/^[\x21-\x7e]{8,}$/.test(options.adminToken)) {
    throw new UsageError('--admin-token must be at least 8 printable characters without spaces');
  }

  // Asked for now, so a Ctrl-C during the start still stops it gracefully (and the private Redis with it).
  const signal = io.signal;
  const started = io.now();
  const platform = await start(options, port, hotRoomPerSecond, upstreams);
  const description = {
    gateway: platform.gatewayUrl,
    admin_token: platform.adminToken,
    // Each service's own address; `gateway_via` where the gateway goes through an --upstream instead.
    services: platform.services.map(({ name, url, gatewayVia }) => ({ name, url, ...(gatewayVia === undefined ? {} : { gateway_via: gatewayVia }) })),
    storage: platform.storage,
    ...(platform.redisUrl === undefined ? {} : { redis: platform.redisUrl }),
    shadow_routing: platform.shadowRouting.enabled,
  };
  if (options.json === true || options.embedded === true) io.stdout.write(`${JSON.stringify(description)}\n`);
  else io.stdout.write(demoBanner(platform, io.now() - started));

  try {
    await untilStopped(io, signal, options.embedded === true);
  } finally {
    await platform.close();
  }
  if (options.json !== true && options.embedded !== true) io.stdout.write('live-assure demo: stopped\n');
  return ExitCode.Ok;
}

async function start(options: DemoCommandOptions, port: number, hotRoomPerSecond: number, upstreams: UpstreamOverrides): Promise<DemoPlatform> {
  try {
    return await startDemoPlatform({
      host: options.host,
      port,
      shadowRouting: options.shadowRouting,
      hotRoomPerSecond,
      upstreams,
      ...(options.redis === undefined ? {} : { redisUrl: options.redis }),
      ...(options.privateRedis === true ? { privateRedis: true } : {}),
      ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    });
  } catch (error) {
    if (error instanceof ListenFailed) {
      throw new EnvironmentError(`demo: ${error.message}`, error.portInUse ? '--port 0 picks a free port' : undefined);
    }
    if (error instanceof PrivateRedisFailed) {
      throw new EnvironmentError(`demo: ${error.message}`, 'install redis-server (e.g. apt install redis-server), or give --redis <url>');
    }
    if (error instanceof RedisUnreachable) {
      throw new EnvironmentError(`demo: ${error.message}`, options.privateRedis === true ? undefined : 'start Redis, or drop --redis to keep the demo data in memory');
    }
    throw error;
  }
}

/** Ctrl-C (SIGINT/SIGTERM) stops the demo; embedded, so does the parent going away (its end of stdin closes). */
async function untilStopped(io: Io, signal: AbortSignal, embedded: boolean): Promise<void> {
  const stops: Promise<unknown>[] = [signal.aborted ? Promise.resolve() : once(signal, 'abort')];
  if (embedded) {
    io.stdin.resume();
    // An error on stdin means the parent is gone as surely as its end does.
    stops.push(once(io.stdin, 'end'), once(io.stdin, 'close'), once(io.stdin, 'error').catch(() => undefined));
  }
  await Promise.race(stops.map((stop) => stop.catch(() => undefined)));
}
