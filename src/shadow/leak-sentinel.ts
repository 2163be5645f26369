import type { IsolationStore } from './isolation-stores.js';
import { describeHit, leakHits, type LeakHit } from './leak-evidence.js';
import { searchKeysForTokens } from './redis-token-search.js';
import type { WriteRecord } from './write-record.js';

/** Writes waiting for the next check: the newest are kept, so a check always looks at fresh ones. */
const PENDING_KEPT = 256;
/** Writes looked at per check: a few hundred small reads every few seconds, cheap for any Redis. */
const CHECKED_PER_TICK = 64;
/** Writes kept for the post-run audit: a uniform sample over the whole run. */
const AUDIT_SAMPLE = 500;
/** A fresh write sits at one end of a list or stream: the sentinel need not read long keys whole. */
const SENTINEL_ELEMENTS = 2000;

export interface SentinelStats {
  checks: number;
  writes_seen: number;
  writes_checked: number;
  keys_checked: number;
  hits: LeakHit[];
  /** Checks that could not be made (the store did not answer): the run was unwatched for that long. */
  failed_checks: number;
}

export interface SentinelOptions {
  stores: readonly IsolationStore[];
  everyMs: number;
  /** A check found this run's tokens in production. */
  onLeak(hits: LeakHit[]): void;
  /** A check could not be made. */
  onCheckFailed(message: string): void;
}

/**
 * Samples, every few seconds during a run, the production keys this run's writes named, for the
 * run's markers and shadow ids. A hit aborts the run: every second more is another leaked write.
 */
export class LeakSentinel {
  readonly #options: SentinelOptions;
  #pending: WriteRecord[] = [];
  readonly #sample: WriteRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #abort: ((expr: string) => void) | undefined;
  readonly stats: SentinelStats = { checks: 0, writes_seen: 0, writes_checked: 0, keys_checked: 0, hits: [], failed_checks: 0 };

  constructor(options: SentinelOptions) {
    this.#options = options;
  }

  /** A uniform sample of the run's writes, for the audit. */
  get sample(): readonly WriteRecord[] {
    return this.#sample;
  }

  start(abort: (expr: string) => void): void {
    this.#abort = abort;
    this.#timer = setInterval(() => void this.#tick(), this.#options.everyMs);
  }

  writes(records: readonly WriteRecord[], count: number): void {
    const before = this.stats.writes_seen;
    this.stats.writes_seen += count;
    this.#pending.push(...records);
    if (this.#pending.length > PENDING_KEPT) this.#pending = this.#pending.slice(-PENDING_KEPT);
    // The records are themselves a sample of `count` writes: each stands for `weight` of them, so it
    // goes in with `weight` times the chance a single write would (weighted reservoir sampling).
    const weight = count / records.length;
    records.forEach((record, index) => {
      const seen = before + (index + 1) * weight;
      if (this.#sample.length < AUDIT_SAMPLE) this.#sample.push(record);
      else if (Math.random() * seen < AUDIT_SAMPLE * weight) this.#sample[Math.floor(Math.random() * AUDIT_SAMPLE)] = record;
    });
  }

  /** Stops the timer and makes one last check of what is still pending. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#checking;
    if (this.stats.hits.length === 0) await this.#check();
  }

  async #tick(): Promise<void> {
    if (this.#checking !== undefined || this.stats.hits.length > 0) return;
    this.#checking = this.#check();
    await this.#checking;
    this.#checking = undefined;
  }

  async #check(): Promise<void> {
    const records = this.#pending.splice(-CHECKED_PER_TICK);
    if (records.length === 0) return;
    this.stats.checks += 1;
    this.stats.writes_checked += records.length;
    const hits: LeakHit[] = [];
    try {
      for (const store of this.#options.stores) {
        const requests = uniqueRequests(records, store.name);
        this.stats.keys_checked += requests.length;
        const searches = await searchKeysForTokens(store.redis, requests, { maxElements: SENTINEL_ELEMENTS });
        searches.forEach((search, index) => hits.push(...leakHits(store.name, search, requests[index]?.step)));
      }
    } catch (error) {
      this.stats.failed_checks += 1;
      this.#options.onCheckFailed(`the leak sentinel could not check production keys: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (hits.length === 0) return;
    this.stats.hits.push(...hits);
    this.#options.onLeak(hits);
    const first = hits[0];
    if (first !== undefined) this.#abort?.(`shadow leak: ${describeHit(first)}`);
  }
}

/** One search per step and production key of `store`, looking for every token that step wrote to it. */
export function uniqueRequests(records: readonly WriteRecord[], store: string): Array<{ key: string; tokens: string[]; step: string }> {
  // By step and key: a hit then names the step whose write carried the token.
  const byKey = new Map<string, { key: string; tokens: Set<string>; step: string }>();
  for (const record of records) {
    for (const written of record.keys) {
      if (written.store !== store || record.tokens.length === 0) continue;
      const id = `${record.step}\u0000${written.key}`;
      const entry = byKey.get(id) ?? { key: written.key, tokens: new Set<string>(), step: record.step };
      for (const token of record.tokens) entry.tokens.add(token);
      byKey.set(id, entry);
    }
  }
  return [...byKey.values()].map(({ key, tokens, step }) => ({ key, tokens: [...tokens], step }));
}

