/**
 * Faults injected into the demo's services and storage by tests and rehearsals, through
 * `PUT /admin/faults/<target>` (the TCP fault proxy of `rehearse` is the other, real way).
 */

/**
 * A service; `store`, every storage call; or `rank-writes`, only the writes to the gift rank
 * (ZINCRBY gift:rank:<room>) — reading the rank still works, as when the rank's Redis refuses
 * writes (maxmemory reached, a replica left read-only after a failover). On a real platform the
 * rank is often its own Redis: its sorted sets grow with every busy room's senders.
 */
export const FAULT_TARGETS = ['room-svc', 'danmaku-svc', 'gift-svc', 'store', 'rank-writes'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

export interface Fault {
  /** Added before the target answers. */
  latency_ms: number;
  /** Share of requests (or storage calls) that fail, 0..1. */
  error_rate: number;
  /** The target drops every connection (a service) or refuses every call (storage, rank writes). */
  down: boolean;
}

const NO_FAULT: Fault = { latency_ms: 0, error_rate: 0, down: false };

/** Short names users type (`room`, `redis`) for the canonical targets. */
const ALIASES: Readonly<Record<string, FaultTarget>> = { room: 'room-svc', danmaku: 'danmaku-svc', gift: 'gift-svc', redis: 'store', rank: 'rank-writes' };

export function faultTarget(name: string): FaultTarget | undefined {
  return FAULT_TARGETS.find((target) => target === name) ?? ALIASES[name];
}

export class FaultHooks {
  readonly #faults = new Map<FaultTarget, Fault>();

  constructor(private readonly random: () => number) {}

  get(target: FaultTarget): Fault {
    return this.#faults.get(target) ?? NO_FAULT;
  }

  set(target: FaultTarget, fault: Fault): void {
    if (fault.latency_ms === 0 && fault.error_rate === 0 && !fault.down) this.#faults.delete(target);
    else this.#faults.set(target, fault);
  }

  clear(): void {
    this.#faults.clear();
  }

  all(): Partial<Record<FaultTarget, Fault>> {
    const all: Partial<Record<FaultTarget, Fault>> = {};
    for (const target of FAULT_TARGETS) all[target] = this.get(target);
    return all;
  }

  /** Whether this call should fail, by the target's error rate. */
  failsNow(target: FaultTarget): boolean {
    const { error_rate: rate } = this.get(target);
    return rate > 0 && this.random() < rate;
  }
}

/** Waits out an injected latency; unref'd, so a long fault never holds up the demo's exit. */
export function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms).unref());
}
