/**
 * The degradation switches SOPs pull. One board for the whole platform stands in for the
 * config centre a real platform's services would watch.
 */

export const FLAG_NAMES = ['gift-effects-off', 'room-info-local-cache', 'danmaku-rate-limit'] as const;
export type FlagName = (typeof FLAG_NAMES)[number];

const DESCRIPTIONS: Readonly<Record<FlagName, string>> = {
  'gift-effects-off': 'gift send records the gift but skips the rank update',
  'room-info-local-cache': 'room info is served from the room service local cache, never touching storage',
  'danmaku-rate-limit': 'danmaku send is limited per room (limit per second); beyond it, 429',
};

const DEFAULT_DANMAKU_LIMIT = 20;

export interface FlagState {
  name: FlagName;
  on: boolean;
  description: string;
  /** ISO time of the last change, or null if never changed. */
  changed_at: string | null;
  /** Only for danmaku-rate-limit: danmaku per room per second. */
  limit?: number;
}

export function isFlagName(name: string): name is FlagName {
  return FLAG_NAMES.some((flag) => flag === name);
}

export class DegradationFlags {
  readonly #on = new Set<FlagName>();
  readonly #changedAt = new Map<FlagName, number>();
  #danmakuLimit = DEFAULT_DANMAKU_LIMIT;

  constructor(private readonly now: () => number) {}

  isOn(name: FlagName): boolean {
    return this.#on.has(name);
  }

  get danmakuLimit(): number {
    return this.#danmakuLimit;
  }

  set(name: FlagName, on: boolean, limit?: number): FlagState {
    if (on) this.#on.add(name);
    else this.#on.delete(name);
    if (limit !== undefined) this.#danmakuLimit = limit;
    this.#changedAt.set(name, this.now());
    return this.state(name);
  }

  state(name: FlagName): FlagState {
    const changed = this.#changedAt.get(name);
    return {
      name,
      on: this.#on.has(name),
      description: DESCRIPTIONS[name],
      changed_at: changed === undefined ? null : new Date(changed).toISOString(),
      ...(name === 'danmaku-rate-limit' ? { limit: this.#danmakuLimit } : {}),
    };
  }

  all(): FlagState[] {
    return FLAG_NAMES.map((name) => this.state(name));
  }
}
