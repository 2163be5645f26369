import type { Redis } from 'ioredis';
import { redactRedisUrl } from '../../shadow/redis-url.js';
import type { ActionContext, ActionOutcome } from './action-context.js';
import { errorText, finishOutcome, type ActionRun } from './action-outcome.js';
import { changedKey, describeChange, queueChange, typeConflict } from './redis-change.js';
import { redisUrlFor, withRedis } from './redis-connection.js';
import { restoreSnapshot, takeSnapshot, type RedisSnapshot } from './redis-snapshot.js';
import type { RedisCall } from './sop-action.js';

// Someone else writing the key between our read and our change makes us read again; not forever.
const WATCH_TRIES = 3;

export interface RedisRun extends ActionRun {
  /** With restore-previous: puts back what was there before (present whenever the change may have been applied). */
  restore?: () => Promise<ActionOutcome>;
}

/** `sent`: the change reached Redis (or may have): rollback must then undo it. */
type Applied = { sent: boolean; problem?: string; result?: string; snapshot?: RedisSnapshot };

/**
 * One redis step. With `restorePrevious`, the previous value is read under WATCH and the change
 * made in the same MULTI, so what is restored is exactly what the change replaced.
 */
export async function runRedis(call: RedisCall, ctx: ActionContext, restorePrevious = false): Promise<RedisRun> {
  const startedAt = performance.now();
  const change = describeChange(call);
  const url = redisUrlFor(call, ctx);
  const fail = (summary: string, touched: boolean): RedisRun => ({ outcome: finishOutcome(ctx.redact, startedAt, { ok: false, summary }), touched });
  if (url === undefined) return fail(`${change}: no Redis to change: give redis.url (this target's own Redis is not known)`, false);
  if (ctx.signal.aborted) return fail(`${change}: interrupted before it was sent`, false);
  const where = redactRedisUrl(url);

  let applied: Applied;
  try {
    applied = await withRedis(url, (redis) => applyWatched(redis, call, restorePrevious));
  } catch (error) {
    // connectFailFastRedis throws before anything is sent; its message names the (redacted) URL.
    return fail(`${change}: ${errorText(error)}`, false);
  }
  const run: RedisRun =
    applied.problem === undefined
      ? { outcome: finishOutcome(ctx.redact, startedAt, { ok: true, summary: `${change} → ${applied.result ?? 'OK'} (${where})` }), touched: true }
      : fail(`${change}: ${applied.problem} (${where})`, applied.sent);
  const snapshot = applied.snapshot;
  if (snapshot !== undefined && applied.sent) run.restore = () => restoreFrom(url, snapshot, ctx.redact);
  return run;
}

async function applyWatched(redis: Redis, call: RedisCall, restorePrevious: boolean): Promise<Applied> {
  const target = changedKey(call);
  if (target === undefined) return { sent: false, problem: 'give one of set, del, hset' };
  for (let attempt = 1; attempt <= WATCH_TRIES; attempt += 1) {
    await redis.watch(target.key);
    const type = await redis.type(target.key);
    const conflict = typeConflict(call, type);
    if (conflict !== undefined) {
      await redis.unwatch();
      return { sent: false, problem: conflict };
    }
    let snapshot: RedisSnapshot | undefined;
    if (restorePrevious) {
      try {
        snapshot = await takeSnapshot(redis, call, type);
      } catch (error) {
        await redis.unwatch().catch(() => undefined);
        return { sent: false, problem: `cannot read the previous value to restore later, so nothing was changed: ${errorText(error)}` };
      }
    }
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await queueChange(redis.multi(), call).exec();
    } catch (error) {
      return { sent: true, problem: errorText(error), snapshot };
    }
    if (results === null) continue;
    const failed = results.find(([error]) => error !== null)?.[0];
    if (failed !== undefined && failed !== null) return { sent: true, problem: failed.message, snapshot };
    return { sent: true, result: results.map(([, value]) => String(value)).join(', '), snapshot };
  }
  return { sent: false, problem: `${target.key} kept changing while its previous value was read (${WATCH_TRIES} tries); nothing was changed` };
}

async function restoreFrom(url: string, snapshot: RedisSnapshot, redact: ActionContext['redact']): Promise<ActionOutcome> {
  const startedAt = performance.now();
  try {
    const said = await withRedis(url, (redis) => restoreSnapshot(redis, snapshot));
    return finishOutcome(redact, startedAt, { ok: true, summary: `${said} (${redactRedisUrl(url)})` });
  } catch (error) {
    return finishOutcome(redact, startedAt, { ok: false, summary: `could not restore ${snapshot.key}: ${errorText(error)}` });
  }
}
