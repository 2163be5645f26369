import type { Socket } from 'node:net';
import type { Toxic } from './proxy-model.js';
import { ToxicStage, type StageOutlet } from './toxic-stage.js';
import type { Chunk } from './toxics/toxic-behaviour.js';

export type Direction = 'upstream' | 'downstream';

/** What a link needs from its connection. */
export interface LinkHooks {
  /** Whether this connection's toxicity roll selected the toxic. */
  affected(toxic: Toxic): boolean;
  random(): number;
  received(bytes: number): void;
  sent(bytes: number): void;
  /** The end of the stream reached the destination and was flushed (or the destination is gone). */
  ended(): void;
  /** A toxic closed the link: the whole connection closes, as Toxiproxy's `dest.Close()` does. */
  close(): void;
  reset(): void;
  fail(error: unknown): void;
}

// Bytes read but not yet written (held by toxics or in flight): reading pauses above HIGH and
// resumes at LOW. Toxiproxy bounds this by channel sizes (latency buffers 1024 reads); a byte
// bound keeps a slow toxic from buffering without limit while still letting latency pipeline.
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = HIGH_WATER / 2;

/**
 * One direction of a connection (Toxiproxy's ToxicLink): data read from `source` goes through the
 * toxics of this direction, in the order they were added, and is written to `destination`.
 */
export class ToxicLink {
  private stages: ToxicStage[] = [];
  private held = 0;
  private paused = false;
  private reading = true;
  private writing = true;
  private readonly outlet: StageOutlet;

  constructor(
    readonly direction: Direction,
    private readonly source: Socket,
    private readonly destination: Socket,
    private readonly hooks: LinkHooks,
  ) {
    this.outlet = {
      emit: (from, chunk) => this.deliver(this.after(from), chunk),
      end: (from) => this.deliverEnd(this.after(from)),
      drop: (bytes) => {
        this.held -= bytes;
        this.updateFlow();
      },
      close: () => hooks.close(),
      reset: () => hooks.reset(),
      random: () => hooks.random(),
      fail: (error) => hooks.fail(error),
    };
  }

  start(toxics: readonly Toxic[]): void {
    for (const toxic of toxics) this.addToxic(toxic);
    this.source.on('data', this.onData);
    this.source.on('end', this.onEnd);
    this.destination.on('drain', this.onDrain);
    this.source.resume();
  }

  addToxic(toxic: Toxic): void {
    if (!this.applies(toxic) || !this.writing) return;
    const stage = new ToxicStage(toxic, this.hooks.affected(toxic), this.outlet);
    this.stages.push(stage);
    stage.start();
  }

  updateToxic(toxic: Toxic): void {
    if (this.applies(toxic)) this.stages.find((stage) => stage.name === toxic.name)?.update(toxic, this.hooks.affected(toxic));
  }

  removeToxic(name: string): void {
    const stage = this.stages.find((candidate) => candidate.name === name);
    if (stage === undefined) return;
    stage.remove();
    this.stages = this.stages.filter((candidate) => candidate !== stage);
  }

  /** Stops reading; what the toxics hold still goes out, then the end. */
  closeInput(): void {
    if (!this.reading) return;
    this.stopReading();
    this.deliverEnd(0);
  }

  dispose(): void {
    this.stopReading();
    this.writing = false;
    this.destination.off('drain', this.onDrain);
    for (const stage of this.stages) stage.dispose();
    this.stages = [];
  }

  private applies(toxic: Toxic): boolean {
    return toxic.stream === this.direction || toxic.stream === 'both';
  }

  private readonly onData = (data: Buffer): void => {
    this.held += data.length;
    this.hooks.received(data.length);
    this.deliver(0, { data, timestamp: performance.now() });
    this.updateFlow();
  };

  private readonly onEnd = (): void => this.closeInput();

  private readonly onDrain = (): void => this.updateFlow();

  private stopReading(): void {
    this.reading = false;
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.source.pause();
  }

  /** Index of the stage after `stage`; past the end when it was already removed (its late output is dropped there). */
  private after(stage: ToxicStage): number {
    const index = this.stages.indexOf(stage);
    return index === -1 ? Number.POSITIVE_INFINITY : index + 1;
  }

  private deliver(index: number, chunk: Chunk): void {
    const next = this.stages[index];
    if (next !== undefined) {
      next.push(chunk);
      return;
    }
    this.held -= chunk.data.length;
    if (index === this.stages.length && this.writing && this.destination.writable) {
      this.destination.write(chunk.data);
      this.hooks.sent(chunk.data.length);
    }
    this.updateFlow();
  }

  private deliverEnd(index: number): void {
    const next = this.stages[index];
    if (next !== undefined) {
      next.end();
      return;
    }
    if (index !== this.stages.length || !this.writing) return;
    this.writing = false;
    if (this.destination.writable) this.destination.end(() => this.hooks.ended());
    else this.hooks.ended();
  }

  private updateFlow(): void {
    if (!this.reading) return;
    const full = this.held > HIGH_WATER || this.destination.writableNeedDrain;
    if (full && !this.paused) {
      this.paused = true;
      this.source.pause();
    } else if (this.paused && !this.destination.writableNeedDrain && this.held <= LOW_WATER) {
      this.paused = false;
      this.source.resume();
    }
  }
}
