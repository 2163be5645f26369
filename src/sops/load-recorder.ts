import type { IntervalRecord } from '../engine/latency-intervals.js';
import type { ResponseSample } from '../engine/response-sample.js';
import type { RunEvent, RunSink, RunSnapshot } from '../engine/run-events.js';
import type { LoadWindow } from './phase-verdict.js';

/** What a rehearsal keeps of a sampled response: its status, the headers asked for, and which of the texts content checks look for its body held (not the body). */
export interface KeptSample {
  status: number | null;
  headers: Record<string, string>;
  found: string[];
}

/** Sampled responses kept per step per second: plenty for a share, bounded over a long rehearsal. */
const SAMPLES_PER_SECOND = 200;

interface Waiter {
  second: number;
  resolve: () => void;
}

/**
 * Keeps the background load's seconds and sampled responses so phases can be judged over any
 * window of them, and lets the rehearsal wait for a second to be complete. Load seconds are placed
 * on the rehearsal's monotonic clock from the moment the load started.
 */
export class LoadRecorder implements RunSink {
  readonly #now: () => number;
  readonly #onSecond: (second: number, snapshot: RunSnapshot) => void;
  readonly #records = new Map<number, IntervalRecord[]>();
  /** By step, then by load second. */
  readonly #samples = new Map<string, Map<number, KeptSample[]>>();
  readonly #needles: Readonly<Record<string, readonly string[]>>;
  #waiters: Waiter[] = [];
  #lastSecond = -1;
  #startedAt: number | undefined;
  #ended = false;
  #startWaiters: Array<() => void> = [];
  /** Arrivals started, summed over the seconds seen. */
  #arrivals = 0;

  /** `needles`: per step, the texts content checks look for in bodies. */
  constructor(now: () => number, onSecond: (second: number, snapshot: RunSnapshot) => void, needles: Readonly<Record<string, readonly string[]>> = {}) {
    this.#now = now;
    this.#onSecond = onSecond;
    this.#needles = needles;
  }

  handle(event: RunEvent): void {
    if (event.type === 'started') {
      this.#startedAt = this.#now();
      for (const resolve of this.#startWaiters) resolve();
      this.#startWaiters = [];
    } else if (event.type === 'second') {
      this.#records.set(event.second, event.records);
      this.#lastSecond = Math.max(this.#lastSecond, event.second);
      this.#arrivals += event.snapshot.rate.achieved;
      this.#onSecond(event.second, event.snapshot);
      this.#release();
    } else if (event.type === 'finished') {
      this.end();
    }
  }

  /** The load is over (finished or failed): nobody waits for more seconds. */
  end(): void {
    this.#ended = true;
    this.#release(true);
    for (const resolve of this.#startWaiters) resolve();
    this.#startWaiters = [];
  }

  addSamples(samples: readonly ResponseSample[]): void {
    for (const sample of samples) {
      let bySecond = this.#samples.get(sample.endpoint);
      if (bySecond === undefined) this.#samples.set(sample.endpoint, (bySecond = new Map()));
      const kept = bySecond.get(sample.second) ?? [];
      if (kept.length >= SAMPLES_PER_SECOND) continue;
      const found = (this.#needles[sample.endpoint] ?? []).filter((needle) => sample.body?.includes(needle) === true);
      kept.push({ status: sample.status, headers: sample.headers, found });
      bySecond.set(sample.second, kept);
    }
  }

  /** Resolves once the load has started (or ended without starting). */
  started(): Promise<void> {
    if (this.#startedAt !== undefined || this.#ended) return Promise.resolve();
    return new Promise((resolve) => this.#startWaiters.push(resolve));
  }

  /** The load second a monotonic time falls in (0 before the load started). */
  secondAt(time: number): number {
    return Math.max(0, Math.floor((time - (this.#startedAt ?? time)) / 1000));
  }

  /** The first whole load second that starts at or after `time`. */
  firstSecondFrom(time: number): number {
    return Math.max(0, Math.ceil((time - (this.#startedAt ?? time)) / 1000));
  }

  /** When load second `second` starts, on the monotonic clock. */
  timeOf(second: number): number {
    return (this.#startedAt ?? 0) + second * 1000;
  }

  /** Resolves true once `second` is complete; false if the load ended or `signal` aborted first. */
  until(second: number, signal: AbortSignal): Promise<boolean> {
    if (this.#lastSecond >= second) return Promise.resolve(true);
    if (this.#ended || signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== entry);
        resolve(false);
      };
      const entry: Waiter = {
        second,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.#lastSecond >= second);
        },
      };
      this.#waiters.push(entry);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(all = false): void {
    const due = this.#waiters.filter((waiter) => all || waiter.second <= this.#lastSecond);
    this.#waiters = this.#waiters.filter((waiter) => !due.includes(waiter));
    for (const waiter of due) waiter.resolve();
  }

  /** Records of seconds [from, from + seconds). */
  window(from: number, seconds: number): LoadWindow {
    const records: IntervalRecord[] = [];
    for (let second = from; second < from + seconds; second += 1) records.push(...(this.#records.get(second) ?? []));
    return { fromSecond: from, seconds, records };
  }

  /** Sampled responses of `endpoint` meant for seconds [from, from + seconds). */
  samples(endpoint: string, from: number, seconds: number): KeptSample[] {
    const bySecond = this.#samples.get(endpoint);
    const kept: KeptSample[] = [];
    for (let second = from; second < from + seconds; second += 1) kept.push(...(bySecond?.get(second) ?? []));
    return kept;
  }

  /** Journey arrivals started per second, over the seconds seen. */
  get arrivalRate(): number {
    return this.#lastSecond < 0 ? 0 : this.#arrivals / (this.#lastSecond + 1);
  }
}
