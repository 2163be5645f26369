/**
 * A room's push channel: every danmaku admitted into a room is pushed to the room's viewers, and
 * the channel delivers `perSecond` of them a second. A send answers once its danmaku has had its
 * turn; when that turn is more than `maxWaitMs` away the send is refused instead (the backlog is
 * full). Only the room under a flood (danmaku-flood.ts) is modelled: everywhere else the push is
 * taken as free, so a benchmark of the demo measures its HTTP path, not this model.
 */
export class RoomPush {
  #room: string | undefined;
  /** When the modelled room's channel has delivered everything admitted so far (ms, on `now`). */
  #freeAt = 0;

  constructor(
    readonly perSecond: number,
    readonly maxWaitMs: number,
    private readonly now: () => number,
  ) {}

  /** Models `room`'s channel from now on, starting empty; undefined models none. */
  track(room: string | undefined): void {
    this.#room = room;
    this.#freeAt = 0;
  }

  /** Takes a turn for one danmaku: how long it waits (0 in an unmodelled room), or undefined when the backlog is full. */
  claim(room: string): number | undefined {
    if (room !== this.#room) return 0;
    const now = this.now();
    const turn = Math.max(now, this.#freeAt);
    if (turn - now > this.maxWaitMs) return undefined;
    this.#freeAt = turn + 1000 / this.perSecond;
    return turn - now;
  }
}
