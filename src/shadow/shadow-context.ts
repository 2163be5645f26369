import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import type { ShadowTag } from './shadow-tag.js';

/**
 * One store for the whole process, so a tag opened by one library instance (say the HTTP
 * middleware) is seen by every other (the Redis routing, the outbound interceptor).
 */
const storage = new AsyncLocalStorage<ShadowTag | null>();

/** The shadow tag of the work running now, or undefined for production work. */
export function currentShadowTag(): ShadowTag | undefined {
  return storage.getStore() ?? undefined;
}

export function isShadow(): boolean {
  return currentShadowTag() !== undefined;
}

/** Runs `fn` (and everything it awaits, schedules or emits) as shadow work of `tag`'s run. */
export function runInShadow<T>(tag: ShadowTag, fn: () => T): T {
  return storage.run(tag, fn);
}

/** Runs `fn` as production work, even when called from inside a shadow context. */
export function runAsProduction<T>(fn: () => T): T {
  return storage.run(null, fn);
}

/**
 * Makes every listener of `emitter` run in the context current now. Needed for emitters whose
 * events are fired from outside the request's async chain: node:http fires a request's `end`
 * (and a response's `finish`) from the socket's context, where the tag would be lost.
 */
export function bindEmitterToContext(emitter: EventEmitter): void {
  const resource = new AsyncResource('live-assure-shadow');
  const emit = emitter.emit;
  emitter.emit = function boundEmit(this: EventEmitter, event: string | symbol, ...args: unknown[]): boolean {
    return resource.runInAsyncScope(emit, this, event, ...args);
  };
}
