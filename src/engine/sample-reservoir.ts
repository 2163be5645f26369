/**
 * A uniform sample of at most `size` of the items offered since the last `take` (reservoir
 * sampling). An item is made only when it is kept. Math.random, not the seeded draw, so sampling
 * never changes a replayed run.
 */
export class SampleReservoir<T> {
  #items: T[] = [];
  #seen = 0;

  constructor(readonly size: number) {}

  offer(make: () => T): void {
    this.#seen += 1;
    if (this.#items.length < this.size) this.#items.push(make());
    else {
      const slot = Math.floor(Math.random() * this.#seen);
      if (slot < this.size) this.#items[slot] = make();
    }
  }

  /** The sample, and how many items were offered; the next sample starts empty. */
  take(): { items: T[]; seen: number } {
    const taken = { items: this.#items, seen: this.#seen };
    this.#items = [];
    this.#seen = 0;
    return taken;
  }
}
