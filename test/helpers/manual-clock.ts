import type { GeneratorClock } from '../../src/engine/load-generator.js';
import type { HttpRequest, HttpResponse, Transport } from '../../src/engine/http-transport.js';

/** A run clock that only moves when the test says so; timers fire in time order. */
export class ManualClock implements GeneratorClock {
  time = 0;
  #timers: Array<{ at: number; order: number; callback: () => void; cancelled: boolean }> = [];
  #order = 0;

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const timer = { at: this.time + Math.max(ms, 0), order: this.#order++, callback, cancelled: false };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Moves time forward to `until`, running every timer due on the way at its own time. */
  advanceTo(until: number): void {
    for (;;) {
      const due = this.#timers.filter((timer) => !timer.cancelled && timer.at <= until).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (due === undefined) break;
      this.#timers.splice(this.#timers.indexOf(due), 1);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = Math.max(this.time, until);
  }

  get pending(): number {
    return this.#timers.filter((timer) => !timer.cancelled).length;
  }
}

export type FakeReply = { status: number; body?: string; afterMs: number } | { error: string; afterMs: number };

/** A transport that answers after a delay on the manual clock, as `reply` says; it keeps every request. `waiting` is whatever the test sets. */
export function fakeTransport(clock: ManualClock, reply: (request: HttpRequest) => FakeReply): Transport & { requests: Array<HttpRequest & { at: number }>; waiting: number } {
  let inFlight = 0;
  const requests: Array<HttpRequest & { at: number }> = [];
  return {
    requests,
    send(request, done) {
      requests.push({ ...request, at: clock.now() });
      inFlight += 1;
      const answer = reply(request);
      clock.setTimer(() => {
        inFlight -= 1;
        if ('error' in answer) done(Object.assign(new Error(answer.error), { code: answer.error }), undefined);
        else done(undefined, { status: answer.status, body: answer.body } satisfies HttpResponse);
      }, answer.afterMs);
    },
    get inFlight() {
      return inFlight;
    },
    waiting: 0,
    takeMaxQueued: () => 0,
    close: async () => undefined,
  };
}
