/**
 * The routing decision for one ioredis command: shadow work is rewritten to shadow keys (or
 * refused), production work is guarded and its subscriptions mirrored; and shadow messages are
 * delivered as shadow work.
 */
import { currentShadowTag, runInShadow } from './shadow-context.js';
import { ShadowError, shadowNotReady } from './shadow-errors.js';
import type { ShadowSwitch } from './shadow-switch.js';
import { commandKeys, globEscape, hasPrefix, routeToShadow, type RedisArg } from './redis-key-routing.js';
import { stripPrefix, unrouteReply } from './redis-reply-unrouting.js';
import { DEFAULT_SHADOW_PREFIX } from './storage-name.js';

export interface ShadowRedisOptions {
  /** The switch that says whether shadow routing is on; off means shadow commands are refused. */
  routing: ShadowSwitch;
  /** Prepended to every key and channel of shadow work (default `shadow:`). */
  prefix?: string;
  /** Refuse production work that touches a shadow key (default true): the reverse of a leak. */
  reverseGuard?: boolean;
  /**
   * Subscribe to each channel's shadow twin too when production code subscribes, and deliver its
   * messages inside a shadow context — so consumers handle shadow messages into shadow storage
   * (default true).
   */
  mirrorSubscriptions?: boolean;
  /** Names this service in refusals. */
  service?: string;
}

// What routing needs of an ioredis command; ioredis's Command fits this shape.
export interface RoutableCommand {
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
  reject(error: Error): void;
  transformReply(result: never): unknown;
}

/** Message events, and where the channel sits among each one's arguments. */
export const MESSAGE_EVENTS: Readonly<Record<string, number>> = {
  message: 0,
  messageBuffer: 0,
  smessage: 0,
  smessageBuffer: 0,
  pmessage: 1,
  pmessageBuffer: 1,
};
// Sharded channels are not mirrored: a channel and its shadow twin hash to different slots.
const MIRRORED = new Set(['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);
const SUBSCRIPTIONS = new Set([...MIRRORED, 'ssubscribe', 'sunsubscribe']);
const UNATTRIBUTED_RUN = 'unattributed';
const TRANSACTION_BRACKETS = new Set(['multi', 'exec', 'discard']);

export interface Router {
  /** Rewrites a shadow command in place; returns the error to fail it with, if it must not run. */
  route(command: RoutableCommand): Error | undefined;
  /** Wraps a message listener so shadow messages are handled as shadow work, under their own channel name. */
  deliver(channelAt: number, listener: (...args: unknown[]) => void): (...args: unknown[]) => void;
}

export function createRouter(options: ShadowRedisOptions): Router {
  const prefix = options.prefix ?? DEFAULT_SHADOW_PREFIX;
  const reverseGuard = options.reverseGuard ?? true;
  const mirror = options.mirrorSubscriptions ?? true;
  const service = options.service ?? 'this Redis client';
  // A command queued in a pipeline passes the client again at exec time, maybe in another context.
  const seen = new WeakSet<RoutableCommand>();
  const runOfChannel = new Map<string, string>();

  return {
    route(command) {
      if (seen.has(command)) return undefined;
      seen.add(command);
      const name = command.name.toLowerCase();
      // Transaction brackets carry no keys, and ioredis adds them itself when a MULTI pipeline runs.
      if (TRANSACTION_BRACKETS.has(name)) return undefined;
      const tag = currentShadowTag();
      const args = command.args.map(toRedisArg);
      if (tag === undefined) {
        // Subscriptions are not guarded: ioredis itself resubscribes shadow channels after a
        // reconnect, and their messages are delivered as shadow work anyway.
        if (SUBSCRIPTIONS.has(name)) {
          if (mirror && MIRRORED.has(name)) command.args = withShadowTwins(name, args, prefix);
          return undefined;
        }
        if (reverseGuard) {
          const touched = commandKeys(name, args).find((key) => hasPrefix(key, prefix));
          if (touched !== undefined) {
            return new ShadowError('shadow_leak', `production ${name.toUpperCase()} on ${service} touches shadow key ${String(touched)}: production traffic must not read or write shadow storage`);
          }
        }
        return undefined;
      }
      if (!options.routing.enabled) return shadowNotReady(service, tag.runId);
      const routed = routeToShadow(name, args, prefix);
      if (!routed.ok) return new ShadowError('shadow_unroutable', `${routed.reason} (run ${tag.runId} on ${service})`);
      if (name.endsWith('subscribe') && !name.includes('unsub')) {
        for (const channel of routed.args) runOfChannel.set(String(channel), tag.runId);
      }
      const subcommand = String(args[0] ?? '');
      command.args = routed.args;
      const transformReply = command.transformReply;
      command.transformReply = (result: never) => unrouteReply(name, subcommand, transformReply.call(command, result), prefix);
      return undefined;
    },
    deliver(channelAt, listener) {
      const wrapped = function (this: unknown, ...args: unknown[]) {
        const channel = args[channelAt];
        if (!isRedisArg(channel) || !hasPrefix(channel, prefix)) return listener.apply(this, args);
        const subscribedAs = channelAt === 1 ? args[0] : channel;
        const runId = runOfChannel.get(String(subscribedAs)) ?? UNATTRIBUTED_RUN;
        // A pattern was subscribed with the prefix glob-escaped, so that is what comes off it.
        const unrouted = args.map((arg, index) =>
          index === channelAt ? stripPrefix(arg, prefix) : channelAt === 1 && index === 0 ? stripPrefix(arg, globEscape(prefix)) : arg,
        );
        return runInShadow({ runId, via: 'header' }, () => Reflect.apply(listener, this, unrouted));
      };
      // EventEmitter matches `.listener` on removal, so `off(event, listener)` still finds the wrapper.
      return Object.assign(wrapped, { listener });
    },
  };
}

/** A production subscription list plus the shadow twin of each channel that has none yet. */
function withShadowTwins(name: string, args: RedisArg[], prefix: string): RedisArg[] {
  const plain = args.filter((arg) => !hasPrefix(arg, prefix));
  if (plain.length === 0) return args;
  const routed = routeToShadow(name, plain, prefix);
  if (!routed.ok) return args;
  const present = new Set(args.map(String));
  return [...args, ...routed.args.filter((twin) => !present.has(String(twin)))];
}

function isRedisArg(value: unknown): value is RedisArg {
  return typeof value === 'string' || typeof value === 'number' || Buffer.isBuffer(value);
}

function toRedisArg(value: unknown): RedisArg {
  return isRedisArg(value) ? value : String(value);
}
