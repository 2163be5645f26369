import type { DanmakuIntake } from './danmaku-intake.js';
import type { RoomPush } from './room-push.js';

/** The bots' uids: far from the shadow uid range of the scenarios, so no audit takes them for load-test traffic. */
const FIRST_BOT_UID = 8_000_000_000;
const TICK_MS = 50;

export interface FloodState {
  on: boolean;
  room_id: string | null;
  per_second: number;
  /** ISO time the flood started, or null. */
  since: string | null;
  /** What became of the bots' danmaku since it started. */
  bots: { sent: number; limited: number; backlog: number; failed: number };
}

/**
 * A simulated danmaku flood (a bot swarm, a clip gone viral): `perSecond` danmaku into one room,
 * taken in by danmaku-svc exactly as a viewer's are — the room's limit when it is on, a turn on the
 * room's push channel, a store write — but made in-process rather than sent over HTTP, so the flood
 * costs the demo what it costs a platform and not the CPU of a second load generator. While it
 * lasts the room's push channel is modelled (room-push.ts): a viewer's danmaku there waits behind
 * the bots', or is refused when the backlog is full.
 */
export class DanmakuFlood {
  #flood: { room: string; perSecond: number; since: number; lastTick: number; owed: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #bots = { sent: 0, limited: 0, backlog: 0, failed: 0 };
  #nextUid = FIRST_BOT_UID;

  constructor(private readonly deps: { intake: DanmakuIntake; push: RoomPush; now: () => number }) {}

  start(room: string, perSecond: number): FloodState {
    const now = this.deps.now();
    this.#flood = { room, perSecond, since: now, lastTick: now, owed: 0 };
    this.#bots = { sent: 0, limited: 0, backlog: 0, failed: 0 };
    this.deps.push.track(room);
    // Unref'd, so a flood left on never holds up the demo's exit.
    this.#timer ??= setInterval(() => this.#tick(), TICK_MS).unref();
    return this.state();
  }

  stop(): FloodState {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#flood = undefined;
    this.deps.push.track(undefined);
    return this.state();
  }

  state(): FloodState {
    const flood = this.#flood;
    return {
      on: flood !== undefined,
      room_id: flood?.room ?? null,
      per_second: flood?.perSecond ?? 0,
      since: flood === undefined ? null : new Date(flood.since).toISOString(),
      bots: { ...this.#bots },
    };
  }

  #tick(): void {
    const flood = this.#flood;
    if (flood === undefined) return;
    const now = this.deps.now();
    // What the elapsed time owes, at most one second's worth: a stalled event loop does not make a burst.
    const owed = Math.min(flood.owed + ((now - flood.lastTick) / 1000) * flood.perSecond, flood.perSecond);
    const count = Math.floor(owed);
    flood.owed = owed - count;
    flood.lastTick = now;
    for (let index = 0; index < count; index += 1) {
      const uid = String(this.#nextUid++);
      this.deps.intake(flood.room, JSON.stringify({ uid, msg: 'flood', at: now })).then(
        (taken) => (this.#bots[taken.outcome] += 1),
        () => (this.#bots.failed += 1),
      );
    }
  }
}
