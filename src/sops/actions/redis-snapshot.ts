import type { Redis } from 'ioredis';
import { quote } from './action-outcome.js';
import type { RedisCall } from './sop-action.js';

/**
 * What a key (or a hash field) held before a step changed it, for `undo: restore-previous`. The
 * TTL is kept as what was left of it, counted down on this machine's monotonic clock, so the value
 * comes back with the deadline it had (no clock skew between here and Redis).
 */
export type RedisSnapshot =
  | {
      of: 'key';
      key: string;
      /** `none` when the key did not exist. */
      type: string;
      /** A string's bytes; any other type as its DUMP payload. */
      bytes: Buffer | undefined;
      /** PTTL: -1 none. */
      pttl: number;
      takenAt: number;
    }
  | {
      of: 'field';
      key: string;
      field: string;
      /** Undefined when the field did not exist. */
      bytes: Buffer | undefined;
      /** The key's PTTL: -2 no key, -1 none. */
      pttl: number;
      /** The step sets a TTL on the whole key, so undoing it puts the key's TTL back too. */
      ttlChanged: boolean;
      takenAt: number;
    };

/** Reads what the step is about to change (inside the WATCH that guards the change). */
export async function takeSnapshot(redis: Redis, call: RedisCall, type: string): Promise<RedisSnapshot | undefined> {
  const takenAt = performance.now();
  if (call.hset !== undefined) {
    const { key, field, ttl } = call.hset;
    const [bytes, pttl] = await Promise.all([redis.hgetBuffer(key, field), redis.pttl(key)]);
    return { of: 'field', key, field, bytes: bytes ?? undefined, pttl, ttlChanged: ttl !== undefined, takenAt };
  }
  const key = call.set?.key ?? call.del?.key;
  if (key === undefined) return undefined;
  if (type === 'none') return { of: 'key', key, type, bytes: undefined, pttl: -1, takenAt };
  // DUMP keeps any type exactly; a plain string is read with GET, which every Redis allows.
  const [bytes, pttl] = await Promise.all([type === 'string' ? redis.getBuffer(key) : redis.dumpBuffer(key), redis.pttl(key)]);
  return { of: 'key', key, type, bytes: bytes ?? undefined, pttl, takenAt };
}

/** Puts the snapshot back, in one transaction; says what it did. */
export async function restoreSnapshot(redis: Redis, snapshot: RedisSnapshot): Promise<string> {
  const elapsed = performance.now() - snapshot.takenAt;
  const remaining = snapshot.pttl >= 0 ? Math.floor(snapshot.pttl - elapsed) : undefined;
  const multi = redis.multi();
  let said: string;
  if (snapshot.of === 'key') {
    const { key, bytes } = snapshot;
    if (snapshot.type === 'none' || bytes === undefined) {
      multi.del(key);
      said = `deleted ${key} (it did not exist before)`;
    } else if (remaining !== undefined && remaining <= 0) {
      multi.del(key);
      said = `deleted ${key}: its previous value would have expired by now`;
    } else if (snapshot.type === 'string') {
      if (remaining === undefined) multi.set(key, bytes);
      else multi.set(key, bytes, 'PX', remaining);
      said = `restored ${key} to ${quote(bytes.toString('utf8'))} ${ttlText(remaining)}`;
    } else {
      multi.restore(key, remaining ?? 0, bytes, 'REPLACE');
      said = `restored ${key} (a ${snapshot.type}) ${ttlText(remaining)}`;
    }
  } else {
    const { key, field, bytes } = snapshot;
    if (bytes === undefined) multi.hdel(key, field);
    else multi.hset(key, field, bytes);
    said = bytes === undefined ? `removed field ${field} of ${key} (it did not exist before)` : `restored field ${field} of ${key} to ${quote(bytes.toString('utf8'))}`;
    if (snapshot.ttlChanged) {
      if (remaining === undefined) {
        multi.persist(key);
        said += snapshot.pttl === -2 ? '' : ', key without TTL as before';
      } else if (remaining <= 0) {
        multi.del(key);
        said += `; deleted ${key}: it would have expired by now`;
      } else {
        multi.pexpire(key, remaining);
        said += `, key ${ttlText(remaining)}`;
      }
    }
  }
  const results = await multi.exec();
  const failed = results?.find(([error]) => error !== null)?.[0];
  if (results === null || results === undefined) throw new Error('the restoring transaction was discarded');
  if (failed !== undefined && failed !== null) throw failed;
  return said;
}

function ttlText(remaining: number | undefined): string {
  return remaining === undefined ? '(no TTL, as before)' : `(PX ${remaining}: the TTL it had left)`;
}
