import type { EventEmitter } from 'node:events';
import { currentShadowTag, runAsProduction, runInShadow } from './shadow-context.js';
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

// What routing needs of an ioredis command and client; ioredis's own classes fit these shapes.
interface RoutableCommand {
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
  reject(error: Error): void;
  transformReply(result: never): unknown;
}
interface RoutablePipeline {
  sendCommand(command: RoutableCommand): unknown;
  addBatch(commands: unknown[]): unknown;
}
export interface RoutableRedis extends EventEmitter {
  sendCommand(command: RoutableCommand, ...rest: never[]): unknown;
  pipeline(commands?: unknown[][]): unknown;
  multi(...args: unknown[]): unknown;
  duplicate?(...args: unknown[]): unknown;
  connect?(...args: unknown[]): unknown;
}

const MESSAGE_EVENTS: Readonly<Record<string, number>> = {
  message: 0,
  messageBuffer: 0,
  smessage: 0,
  smessageBuffer: 0,
  pmessage: 1,
  pmessageBuffer: 1,
};
const LISTENER_METHODS = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'] as const;
// Sharded channels are not mirrored: a channel and its shadow twin hash to different slots.
const MIRRORED = new Set(['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);
const SUBSCRIPTIONS = new Set([...MIRRORED, 'ssubscribe', 'sunsubscribe']);
const UNATTRIBUTED_RUN = 'unattributed';
const REFUSED_COMMAND = 'live-assure-shadow-refused';
const TRANSACTION_BRACKETS = new Set(['multi', 'exec', 'discard']);

const instrumented = new WeakSet<object>();

/**
 * Instruments an ioredis client in place so that, inside a shadow context, every key and channel
 * of every command goes to `<prefix><key>` — plain commands, pipelines, MULTI, scripts, pub/sub
 * and autopipelining alike — while production work is sent untouched. In place, so no other
 * reference to the client can bypass the routing. Returns the same client.
 */
export function routeShadowRedis<T extends RoutableRedis>(client: T, options: ShadowRedisOptions): T {
  if (instrumented.has(client)) return client;
  if (options.prefix === '') throw new ShadowError('shadow_unroutable', 'the shadow prefix must not be empty: shadow keys would be production keys');
  const tag = currentShadowTag();
  if (tag !== undefined) {
    throw new ShadowError('shadow_unroutable', `instrument Redis clients at start-up, not inside shadow work (run ${tag.runId}): the connection must belong to production`);
  }
  if ('isCluster' in client && client.isCluster === true && 'options' in client && hasAutoPipelining(client.options)) {
    // ioredis groups an autopipeline by the slot of the unprefixed key; routed keys land elsewhere.
    throw new ShadowError('shadow_unroutable', 'Redis Cluster with enableAutoPipelining cannot be routed: turn autopipelining off for this client');
  }
  instrumented.add(client);
  const router = createRouter(options);

  const sendCommand = client.sendCommand;
  client.sendCommand = function routedSendCommand(this: RoutableRedis, command: RoutableCommand, ...rest: never[]) {
    const refusal = router.route(command);
    if (refusal !== undefined) {
      command.reject(refusal);
      return command.promise;
    }
    return sendCommand.call(this, command, ...rest);
  };

  const pipeline = client.pipeline;
  client.pipeline = function routedPipeline(this: RoutableRedis, commands?: unknown[][]) {
    const created = pipeline.call(this);
    return withBatch(instrumentPipeline(created, router), commands);
  };
  const multi = client.multi;
  client.multi = function routedMulti(this: RoutableRedis, ...args: unknown[]) {
    const [first, second] = args;
    const batch: unknown = first;
    const created = multi.call(this, ...(Array.isArray(batch) ? [second] : [first]));
    if (created instanceof Promise) return created;
    return withBatch(instrumentPipeline(created, router), Array.isArray(batch) ? batch : undefined);
  };

  // The connection (and every reconnect, handshake and resubscription it makes later) belongs to
  // no request: opened inside a shadow request, its handshake would be routed like shadow work.
  const connect = client.connect;
  if (connect !== undefined) {
    client.connect = function productionConnect(this: RoutableRedis, ...args: unknown[]) {
      return runAsProduction(() => connect.apply(this, args));
    };
  }
  const duplicate = client.duplicate;
  if (duplicate !== undefined) {
    client.duplicate = function routedDuplicate(this: RoutableRedis, ...args: unknown[]) {
      return runAsProduction(() => {
        const copy = duplicate.apply(this, args);
        return isRoutableRedis(copy) ? routeShadowRedis(copy, options) : copy;
      });
    };
  }

  // Listeners added before instrumentation get the same treatment as later ones.
  for (const [event, channelAt] of Object.entries(MESSAGE_EVENTS)) {
    const existing = client.rawListeners(event);
    client.removeAllListeners(event);
    for (const listener of existing) {
      const wrapped = router.deliver(channelAt, (...args: unknown[]) => Reflect.apply(listener, client, args));
      client.on(event, Object.assign(wrapped, { listener }));
    }
  }
  const wrappers = new WeakMap<object, ((...args: unknown[]) => void)[]>();
  for (const method of LISTENER_METHODS) {
    const register = client[method];
    client[method] = function routedListener(this: RoutableRedis, event: string | symbol, listener: (...args: unknown[]) => void) {
      const channelAt = typeof event === 'string' ? MESSAGE_EVENTS[event] : undefined;
      if (channelAt === undefined) return register.call(this, event, listener);
      const wrapped = router.deliver(channelAt, listener);
      wrappers.set(listener, [...(wrappers.get(listener) ?? []), wrapped]);
      return register.call(this, event, wrapped);
    };
  }
  for (const method of ['off', 'removeListener'] as const) {
    const remove = client[method];
    client[method] = function routedRemove(this: RoutableRedis, event: string | symbol, listener: (...args: unknown[]) => void) {
      const wrapped = wrappers.get(listener)?.pop();
      return remove.call(this, event, wrapped ?? listener);
    };
  }
  return client;
}

interface Router {
  /** Rewrites a shadow command in place; returns the error to fail it with, if it must not run. */
  route(command: RoutableCommand): Error | undefined;
  /** Wraps a message listener so shadow messages are handled as shadow work, under their own channel name. */
  deliver(channelAt: number, listener: (...args: unknown[]) => void): (...args: unknown[]) => void;
}

function createRouter(options: ShadowRedisOptions): Router {
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

function hasAutoPipelining(options: unknown): boolean {
  return typeof options === 'object' && options !== null && 'enableAutoPipelining' in options && options.enableAutoPipelining === true;
}

function isRedisArg(value: unknown): value is RedisArg {
  return typeof value === 'string' || typeof value === 'number' || Buffer.isBuffer(value);
}

function toRedisArg(value: unknown): RedisArg {
  return isRedisArg(value) ? value : String(value);
}

function instrumentPipeline(pipeline: unknown, router: Router): unknown {
  if (!isRoutablePipeline(pipeline)) return pipeline;
  const sendCommand = pipeline.sendCommand;
  pipeline.sendCommand = function routedQueue(this: RoutablePipeline, command: RoutableCommand) {
    const refusal = router.route(command);
    if (refusal !== undefined) {
      // Still queued, so the pipeline's replies stay in step with its commands (autopipelining
      // mixes other requests' commands in): as a command Redis does not know, which answers an
      // error in its slot and aborts a MULTI at EXEC. The caller sees the refusal.
      const reject = command.reject;
      command.name = REFUSED_COMMAND;
      command.args = [];
      command.reject = () => reject.call(command, refusal);
    }
    return sendCommand.call(this, command);
  };
  return pipeline;
}

function withBatch(pipeline: unknown, commands: unknown[] | undefined): unknown {
  if (commands !== undefined && isRoutablePipeline(pipeline)) pipeline.addBatch(commands);
  return pipeline;
}

function isRoutablePipeline(value: unknown): value is RoutablePipeline {
  return typeof value === 'object' && value !== null && 'sendCommand' in value && typeof value.sendCommand === 'function' && 'addBatch' in value;
}

function isRoutableRedis(value: unknown): value is RoutableRedis {
  return isRoutablePipeline(value) || (typeof value === 'object' && value !== null && 'sendCommand' in value && 'pipeline' in value);
}
