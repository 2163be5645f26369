import type { ChainableCommander } from 'ioredis';
import { quote } from './action-outcome.js';
import type { RedisCall } from './sop-action.js';

/** The key a redis step changes, and the field when it sets one in a hash. */
export function changedKey(call: RedisCall): { key: string; field?: string } | undefined {
  if (call.set !== undefined) return { key: call.set.key };
  if (call.del !== undefined) return { key: call.del.key };
  if (call.hset !== undefined) return { key: call.hset.key, field: call.hset.field };
  return undefined;
}

/** `SET degrade:gift "1" PX 1800000`: the change as Redis commands, for summaries. */
export function describeChange(call: RedisCall): string {
  if (call.set !== undefined) return `SET ${call.set.key} ${quote(call.set.value)}${call.set.ttl === undefined ? '' : ` PX ${call.set.ttl}`}`;
  if (call.del !== undefined) return `DEL ${call.del.key}`;
  if (call.hset !== undefined) {
    const { key, field, value, ttl } = call.hset;
    return `HSET ${key} ${field} ${quote(value)}${ttl === undefined ? '' : `; PEXPIRE ${key} ${ttl}`}`;
  }
  return 'nothing (give one of set, del, hset)';
}

/** Queues the change on a transaction (HSET and its PEXPIRE land together). */
export function queueChange(multi: ChainableCommander, call: RedisCall): ChainableCommander {
  if (call.set !== undefined) return call.set.ttl === undefined ? multi.set(call.set.key, call.set.value) : multi.set(call.set.key, call.set.value, 'PX', call.set.ttl);
  if (call.del !== undefined) return multi.del(call.del.key);
  if (call.hset !== undefined) {
    const queued = multi.hset(call.hset.key, call.hset.field, call.hset.value);
    return call.hset.ttl === undefined ? queued : queued.pexpire(call.hset.key, call.hset.ttl);
  }
  return multi;
}

/** Why Redis would refuse the change on a key of this type (HSET on a string), before anything is sent. */
export function typeConflict(call: RedisCall, type: string): string | undefined {
  if (call.hset !== undefined && type !== 'hash' && type !== 'none') return `${call.hset.key} holds a ${type}, not a hash: HSET would fail`;
  return undefined;
}
