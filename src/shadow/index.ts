/**
 * `live-assure/shadow`: the service-side library that makes a Node.js service honour shadow tags —
 * context, HTTP middleware, Redis key routing, outbound propagation, shadow-aware caches.
 */
export { parseBaggage, setBaggageMember, type BaggageMember } from './baggage.js';
export { createShadowAwareCache, type ShadowAwareCache, type ShadowAwareCacheOptions } from './shadow-aware-cache.js';
export { bindEmitterToContext, currentShadowTag, isShadow, runAsProduction, runInShadow } from './shadow-context.js';
export { ShadowError } from './shadow-errors.js';
export { shadowMiddleware, withShadowContext, type ConnectMiddleware, type NextFunction, type ShadowMiddlewareOptions, type WithShadowContextOptions } from './http-middleware.js';
export { type ShadowRedisOptions } from './redis-command-router.js';
export { routeShadowRedis, type RoutableRedis } from './shadow-redis.js';
export { ShadowSwitch } from './shadow-switch.js';
export { DEFAULT_SHADOW_PREFIX, shadowStorageName, type StorageNameOptions } from './storage-name.js';
export { DEFAULT_SHADOW_HEADER, SHADOW_BAGGAGE_KEY, isValidRunId, readShadowTag, type ShadowTag, type TagReading } from './shadow-tag.js';
export { createShadowAgent, shadowPropagation, type ShadowPropagationOptions } from './undici-propagation.js';
