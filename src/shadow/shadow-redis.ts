import type { EventEmitter } from 'node:events';
import { createRouter, MESSAGE_EVENTS, type RoutableCommand, type Router, type ShadowRedisOptions } from './redis-command-router.js';
import { currentShadowTag, runAsProduction } from './shadow-context.js';
import { ShadowError } from './shadow-errors.js';

// What instrumentation needs of an ioredis client and pipeline; ioredis's own classes fit these shapes.
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

const LISTENER_METHODS = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'] as const;
const REFUSED_COMMAND = 'live-assure-shadow-refused';

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

function hasAutoPipelining(options: unknown): boolean {
  return typeof options === 'object' && options !== null && 'enableAutoPipelining' in options && options.enableAutoPipelining === true;
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
