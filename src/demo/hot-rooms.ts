/**
 * Marks rooms hot by an exponentially decayed request rate: each hit adds 1, and the sum decays
 * with the given half-life, so the score tracks requests per half-life window. A full top-K
 * detector comes later; this is enough to move a hot room's info to a local cache.
 */
export class HotRooms {
  readonly #scores = new Map<string, { score: number; at: number }>();
  readonly #decayPerMs: number;

  constructor(
    /** Requests per second above which a room is hot. */
    private readonly thresholdPerSecond: number,
    private readonly now: () => number,
    private readonly halfLifeMs = 1000,
    private readonly maxTracked = 10_000,
  ) {
    this.#decayPerMs = Math.LN2 / halfLifeMs;
  }

  /** Counts one request for `room` and says whether the room is hot now. */
  hit(room: string): boolean {
    const at = this.now();
    const rate = this.#decayed(room, at) + 1;
    this.#scores.delete(room);
    this.#scores.set(room, { score: rate, at });
    if (this.#scores.size > this.maxTracked) this.#forgetLeastRecent();
    return this.#perSecond(rate) >= this.thresholdPerSecond;
  }

  /** Hot rooms now, hottest first, with their estimated requests per second. */
  hot(): { room: string; perSecond: number }[] {
    const at = this.now();
    return [...this.#scores.keys()]
      .map((room) => ({ room, perSecond: this.#perSecond(this.#decayed(room, at)) }))
      .filter((entry) => entry.perSecond >= this.thresholdPerSecond)
      .sort((a, b) => b.perSecond - a.perSecond);
  }

  #decayed(room: string, at: number): number {
    const entry = this.#scores.get(room);
    return entry === undefined ? 0 : entry.score * Math.exp(-this.#decayPerMs * (at - entry.at));
  }

  // A steady rate r gives a score of r·(half-life)/ln 2 in the long run.
  #perSecond(score: number): number {
    return (score * Math.LN2 * 1000) / this.halfLifeMs;
  }

  #forgetLeastRecent(): void {
    const oldest = this.#scores.keys().next();
    if (oldest.done !== true) this.#scores.delete(oldest.value);
  }
}
