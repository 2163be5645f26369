/**
 * Whether this service is ready to route shadow traffic to shadow storage. Everything that
 * routes (the middleware, the Redis routing) consults the same switch, so turning it off makes
 * the whole service refuse shadow traffic at once — fail closed.
 */
export class ShadowSwitch {
  #enabled: boolean;

  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  set(enabled: boolean): void {
    this.#enabled = enabled;
  }
}
