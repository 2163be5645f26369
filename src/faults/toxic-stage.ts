import { setTimeout as sleep } from 'node:timers/promises';
import type { Toxic } from './proxy-model.js';
import { behaviourFor } from './toxics/behaviour-for.js';
import { passThrough, type Chunk, type ToxicBehaviour, type ToxicContext } from './toxics/toxic-behaviour.js';

// setTimeout's limit; toxic attributes are checked against it, sums of them are clamped here.
const LONGEST_WAIT_MS = 2_147_483_647;

/** Where a stage sends its output: the link resolves "the next one" at the moment of sending. */
export interface StageOutlet {
  emit(from: ToxicStage, chunk: Chunk): void;
  end(from: ToxicStage): void;
  drop(bytes: number): void;
  /** The toxic closed its link: the connection closes. */
  close(): void;
  reset(): void;
  random(): number;
  fail(error: unknown): void;
}

/**
 * One toxic on one link (Toxiproxy's ToxicStub): a queue worked one chunk at a time by the toxic's
 * behaviour, or by a pass-through when the connection's toxicity roll missed. Updates interrupt
 * and restart it with the unsent rest of the current chunk put back first; removal hands
 * everything it holds to the next stage at once, so no data is lost or reordered.
 */
export class ToxicStage {
  private readonly queue: Chunk[] = [];
  private current: { chunk: Chunk; consumed: number } | undefined;
  private inputEnded = false;
  /** The end has passed on (or the toxic closed): nothing more goes through. */
  private done = false;
  private draining = false;
  private controller = new AbortController();
  private context: ToxicContext;
  private behaviour: ToxicBehaviour;

  constructor(
    private toxic: Toxic,
    private affected: boolean,
    private readonly outlet: StageOutlet,
  ) {
    this.behaviour = affected ? behaviourFor(toxic.type) : passThrough;
    this.context = this.createContext(this.controller.signal);
  }

  get name(): string {
    return this.toxic.name;
  }

  start(): void {
    this.behaviour.start?.(this.context);
    this.pump();
  }

  push(chunk: Chunk): void {
    if (this.done) {
      this.outlet.drop(chunk.data.length);
      return;
    }
    this.queue.push(chunk);
    this.pump();
  }

  end(): void {
    if (this.done) return;
    this.inputEnded = true;
    this.pump();
  }

  update(toxic: Toxic, affected: boolean): void {
    if (this.done) return;
    this.interrupt();
    if (affected !== this.affected) this.behaviour = affected ? behaviourFor(toxic.type) : passThrough;
    this.toxic = toxic;
    this.affected = affected;
    this.start();
  }

  /** Leaves the link; call before the link forgets the stage, so the flush still finds the next one. */
  remove(): void {
    if (this.done) {
      this.dispose();
      return;
    }
    this.interrupt();
    this.behaviour.removed?.(this.context);
    if (this.done) return;
    for (const chunk of this.queue.splice(0)) this.outlet.emit(this, chunk);
    if (this.inputEnded) this.outlet.end(this);
    this.dispose();
  }

  dispose(): void {
    this.done = true;
    this.queue.length = 0;
    this.current = undefined;
    this.controller.abort();
  }

  private pump(): void {
    if (this.draining || this.done) return;
    this.draining = true;
    const signal = this.controller.signal;
    this.drain(signal).catch((error: unknown) => {
      if (!signal.aborted) this.outlet.fail(error);
    });
  }

  // Stays synchronous as long as the behaviour is, so a pass-through costs no extra turn.
  private async drain(signal: AbortSignal): Promise<void> {
    const context = this.context;
    for (let chunk = this.queue.shift(); chunk !== undefined; chunk = this.queue.shift()) {
      this.current = { chunk, consumed: 0 };
      const pending = this.behaviour.chunk(chunk, context);
      if (pending !== undefined) await pending;
      if (signal.aborted) return;
      this.current = undefined;
    }
    if (this.inputEnded) {
      const pending = this.behaviour.end?.(context);
      if (pending !== undefined) await pending;
      if (signal.aborted) return;
      this.done = true;
      this.outlet.end(this);
    }
    this.draining = false;
  }

  private interrupt(): void {
    this.controller.abort();
    this.controller = new AbortController();
    this.context = this.createContext(this.controller.signal);
    this.draining = false;
    if (this.current !== undefined) {
      const rest = this.current.chunk.data.subarray(this.current.consumed);
      if (rest.length > 0) this.queue.unshift({ data: rest, timestamp: this.current.chunk.timestamp });
      this.current = undefined;
    }
  }

  // Toxiproxy's stub.Close(): what this toxic holds is dropped, the end goes on, the connection closes.
  private closeHere(): void {
    let held = this.queue.reduce((bytes, chunk) => bytes + chunk.data.length, 0);
    if (this.current !== undefined) held += this.current.chunk.data.length - this.current.consumed;
    this.dispose();
    this.outlet.drop(held);
    this.outlet.end(this);
    this.outlet.close();
  }

  private createContext(signal: AbortSignal): ToxicContext {
    const live = (): boolean => !signal.aborted && !this.done;
    return {
      signal,
      attribute: (name) => this.toxic.attributes[name] ?? 0,
      random: () => this.outlet.random(),
      emit: (chunk) => {
        if (!live()) return;
        if (this.current !== undefined) this.current.consumed += chunk.data.length;
        this.outlet.emit(this, chunk);
      },
      drop: (bytes) => {
        if (!live()) return;
        if (this.current !== undefined) this.current.consumed += bytes;
        this.outlet.drop(bytes);
      },
      sleep: (ms) => {
        if (signal.aborted) return Promise.reject(signal.reason);
        return ms > 0 ? sleep(Math.min(ms, LONGEST_WAIT_MS), undefined, { signal }) : Promise.resolve();
      },
      close: () => {
        if (live()) this.closeHere();
      },
      reset: () => {
        if (live()) this.outlet.reset();
      },
    };
  }
}
