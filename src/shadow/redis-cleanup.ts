import type { Redis } from 'ioredis';
import { escapeRedisGlob } from './redis-glob.js';
import { unlinkCommand } from './unlink-command.js';

/** Counts so far, reported about once per batch. */
export interface CleanupProgress {
  /** Keys SCAN returned so far (a key may come back twice while Redis resizes its table). */
  scanned_keys: number;
  /** Of those, the keys whose bytes start with the prefix: deleted, or in a dry run to be deleted. */
  matched: number;
  /** Keys UNLINK removed so far; a key someone else deleted meanwhile is not counted. */
  deleted: number;
  /** DBSIZE when the cleanup started: every key, under the prefix or not. */
  db_keys: number;
  /** Share of the keyspace SCAN has walked, 0 to 1 (estimated from its cursor): for a progress bar. */
  scanned_share: number;
}

export interface CleanupResult {
  prefix: string;
  /** Keys SCAN returned. */
  scanned_keys: number;
  /** Keys under the prefix (checked byte by byte here, not only by SCAN's MATCH). */
  matched: number;
  /** Keys deleted: the sum of UNLINK's answers. */
  deleted: number;
  dry_run: boolean;
  /** False when stopped by the signal before SCAN went all the way round: re-run for the rest. */
  complete: boolean;
  elapsed_ms: number;
}

export interface CleanupOptions {
  /** Only keys starting with these bytes (UTF-8) are deleted; must not be empty. */
  prefix: string;
  /** Count what would be deleted, delete nothing. */
  dryRun?: boolean;
  /** Keys per UNLINK command. */
  batch?: number;
  /** Stops after the batches in flight; the result then says `complete: false`. */
  signal?: AbortSignal;
  onProgress?(progress: CleanupProgress): void;
  /** Each SCAN reply's keys under the prefix (never an empty batch), before they are deleted; a key may come twice. */
  onMatched?(keys: Buffer[]): void;
}

/** SCAN or UNLINK failed midway (a dropped connection, a read-only replica): `progress` says how far it got. */
export class ShadowCleanupFailed extends Error {
  readonly progress: CleanupProgress;

  constructor(cause: unknown, progress: CleanupProgress) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ShadowCleanupFailed';
    this.progress = progress;
  }
}

const DEFAULT_BATCH = 1000;
// Redis spends the same per key at any COUNT (measured: 0.65 s per 1M keys at 1000 to 100,000);
// 5000 keeps each call a few milliseconds, so other clients wait no longer than that.
const SCAN_COUNT = 5000;
// Enough UNLINKs queued behind each SCAN that Redis never waits for the client; bounds memory too.
const MAX_UNLINKS_IN_FLIGHT = 16;

/**
 * Deletes every key under `prefix` with SCAN (MATCH on the escaped prefix) and UNLINK in
 * pipelined batches, each key re-checked byte by byte so nothing outside the prefix is ever
 * deleted. Safe to re-run: SCAN finds whatever an interrupted run left.
 */
export async function cleanupShadowKeys(redis: Redis, options: CleanupOptions): Promise<CleanupResult> {
  if (options.prefix === '') throw new RangeError('the shadow prefix must not be empty: every key would match');
  if (redis.options.keyPrefix) {
    // The client would prefix UNLINK's keys but not SCAN's pattern: it would delete other keys.
    throw new RangeError(`the Redis client has keyPrefix ${JSON.stringify(redis.options.keyPrefix)}: use a client without one`);
  }
  const batch = options.batch ?? DEFAULT_BATCH;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a whole number ≥ 1, not ${batch}`);
  const dryRun = options.dryRun === true;
  const prefix = Buffer.from(options.prefix);
  const pattern = `${escapeRedisGlob(options.prefix)}*`;
  const started = performance.now();
  const progress: CleanupProgress = { scanned_keys: 0, matched: 0, deleted: 0, db_keys: 0, scanned_share: 0 };
  const report = (): void => options.onProgress?.({ ...progress });

  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const unlink = (keys: Buffer[]): void => {
    const command = unlinkCommand(keys);
    redis.sendCommand(command);
    const sent: Promise<void> = command.promise.then(
      (removed: unknown) => {
        if (typeof removed !== 'number') throw new Error(`UNLINK answered ${String(removed)}, not a count`);
        progress.deleted += removed;
        inFlight.delete(sent);
        report();
      },
    ).catch((error: unknown) => {
      failure ??= { error };
      inFlight.delete(sent);
    });
    inFlight.add(sent);
  };

  const scan = (cursor: string): Promise<ScanReply> =>
    redis.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT).then(
      ([next, keys]) => ({ cursor: next.toString(), keys }),
      // Settled at once: a rejection left unobserved while UNLINKs are awaited would crash the process.
      (error: unknown) => ({ error }),
    );

  let cursor = '';
  try {
    progress.db_keys = await redis.dbsize();
    let pending: Promise<ScanReply> | undefined = options.signal?.aborted === true ? undefined : scan('0');
    while (pending !== undefined && failure === undefined) {
      const reply: ScanReply = await pending;
      if ('error' in reply) throw reply.error;
      cursor = reply.cursor;
      progress.scanned_share = cursor === '0' ? 1 : Math.max(progress.scanned_share, cursorShare(cursor));
      // The next SCAN goes out before this reply's keys are handled, so Redis scans while we filter and send.
      const goOn = cursor !== '0' && options.signal?.aborted !== true && failure === undefined;
      pending = goOn ? scan(cursor) : undefined;
      progress.scanned_keys += reply.keys.length;
      const matched = reply.keys.filter((key) => startsWith(key, prefix));
      progress.matched += matched.length;
      if (matched.length > 0) options.onMatched?.(matched);
      if (!dryRun) for (let start = 0; start < matched.length; start += batch) unlink(matched.slice(start, start + batch));
      report();
      while (inFlight.size > MAX_UNLINKS_IN_FLIGHT) await Promise.race(inFlight);
    }
  } catch (error) {
    failure ??= { error };
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw new ShadowCleanupFailed(failure.error, { ...progress });
  return {
    prefix: options.prefix,
    scanned_keys: progress.scanned_keys,
    matched: progress.matched,
    deleted: progress.deleted,
    dry_run: dryRun,
    complete: cursor === '0',
    elapsed_ms: Math.round(performance.now() - started),
  };
}

/**
 * SCAN visits hash buckets in reverse-binary order, so the cursor's bits read from the lowest up
 * are the binary fraction of buckets visited, whatever the table's size.
 */
function cursorShare(cursor: string): number {
  let bits = /^\d+$/.test(cursor) ? BigInt(cursor) : 0n;
  let share = 0;
  for (let weight = 0.5; bits > 0n && weight > 1e-9; weight /= 2, bits >>= 1n) if ((bits & 1n) === 1n) share += weight;
  return share;
}

type ScanReply = { cursor: string; keys: Buffer[] } | { error: unknown };

// A loop, not Buffer#compare: for a prefix of a few bytes the native call costs more than the work.
function startsWith(key: Buffer, prefix: Buffer): boolean {
  if (key.length < prefix.length) return false;
  for (let index = 0; index < prefix.length; index += 1) if (key[index] !== prefix[index]) return false;
  return true;
}
