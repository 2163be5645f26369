import { connect, type Socket } from 'node:net';
import type { ProxyAddress } from './proxy-address.js';
import type { Toxic } from './proxy-model.js';
import { ToxicLink, type Direction } from './toxic-link.js';

export interface ConnectionOptions {
  upstream: ProxyAddress;
  /** The proxy's toxics when the upstream answers (later changes arrive through addToxic & co.). */
  toxics(): readonly Toxic[];
  /** This connection's one toxicity draw for a toxic, in [0, 1). */
  draw(toxic: string): number;
  random(direction: Direction): () => number;
  count(direction: Direction, what: 'received' | 'sent', bytes: number): void;
}

/**
 * One accepted client and its upstream connection, joined by two links (client → upstream is the
 * `upstream` stream, upstream → client the `downstream` one). A peer's end of stream passes on as
 * a half-close; a toxic that closes its link closes both; any socket error destroys both.
 */
export class ProxyConnection {
  readonly closed: Promise<void>;
  private readonly upstream: Socket;
  private links: ToxicLink[] = [];
  private linksEnded = 0;
  private finished = false;

  constructor(
    private readonly client: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.upstream = connect({ host: options.upstream.host, port: options.upstream.port, allowHalfOpen: true });
    this.closed = Promise.all([closeOf(client), closeOf(this.upstream)]).then(() => this.dispose());
    // Listeners for 'error' stay for the sockets' whole life: an error must never go unhandled.
    client.on('error', this.destroy);
    this.upstream.on('error', this.destroy);
    this.upstream.once('connect', () => this.start());
  }

  addToxic(toxic: Toxic): void {
    for (const link of this.links) link.addToxic(toxic);
  }

  updateToxic(toxic: Toxic): void {
    for (const link of this.links) link.updateToxic(toxic);
  }

  removeToxic(name: string): void {
    for (const link of this.links) link.removeToxic(name);
  }

  /** Closes both sockets now, dropping whatever the toxics hold (disable, restart, errors). */
  readonly destroy = (): void => {
    this.dispose();
    this.client.destroy();
    this.upstream.destroy();
  };

  private start(): void {
    if (this.finished) return;
    for (const socket of [this.client, this.upstream]) socket.setNoDelay(true);
    const hooks = (direction: Direction) => ({
      affected: (toxic: Toxic) => this.options.draw(toxic.name) < toxic.toxicity,
      random: this.options.random(direction),
      received: (bytes: number) => this.options.count(direction, 'received', bytes),
      sent: (bytes: number) => this.options.count(direction, 'sent', bytes),
      ended: () => this.linkEnded(),
      close: () => this.closeLinks(),
      reset: () => this.reset(),
      fail: this.destroy,
    });
    this.links = [
      new ToxicLink('upstream', this.client, this.upstream, hooks('upstream')),
      new ToxicLink('downstream', this.upstream, this.client, hooks('downstream')),
    ];
    const toxics = this.options.toxics();
    for (const link of this.links) link.start(toxics);
  }

  private closeLinks(): void {
    for (const link of this.links) link.closeInput();
  }

  private linkEnded(): void {
    this.linksEnded += 1;
    if (this.linksEnded === 2) this.destroy();
  }

  // Deliberate fix of Toxiproxy, which sets linger 0 whenever a reset_peer toxic is in the chain
  // (even a toxicity-0 one turns every close into an RST, issue #603): only the connections this
  // toxic actually selected get here.
  private reset(): void {
    this.dispose();
    for (const socket of [this.client, this.upstream]) if (!socket.destroyed) socket.resetAndDestroy();
  }

  private dispose(): void {
    this.finished = true;
    for (const link of this.links) link.dispose();
    this.links = [];
  }
}

function closeOf(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
