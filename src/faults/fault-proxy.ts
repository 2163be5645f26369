import { createServer, type Server, type Socket } from 'node:net';
import { formatAddress, type ProxyAddress } from './proxy-address.js';
import type { ProxySettings } from './proxy-input.js';
import { FaultProxyError, type Proxy, type Toxic, type ToxicInput } from './proxy-model.js';
import { ProxyConnection } from './proxy-connection.js';
import type { Direction } from './toxic-link.js';
import { createToxic, updateToxic } from './toxic-input.js';
import { linkRandom, toxicityDraw } from './toxicity-roll.js';

type Counters = Record<Direction, { received: number; sent: number }>;

/** One proxy: its listener, its live connections and its toxics. Lifecycle calls must not overlap (the set serialises them). */
export class FaultProxy {
  readonly counters: Counters = { upstream: { received: 0, sent: 0 }, downstream: { received: 0, sent: 0 } };
  private toxicList: Toxic[] = [];
  private server: Server | undefined;
  /** Where it last listened: re-enabling after port 0 comes back on the same port, as Toxiproxy does. */
  private bound: ProxyAddress | undefined;
  private readonly connections = new Set<ProxyConnection>();
  private accepted = 0;

  constructor(
    private settings: ProxySettings,
    private readonly seed: number,
  ) {}

  get name(): string {
    return this.settings.name;
  }

  get toxics(): readonly Toxic[] {
    return this.toxicList;
  }

  view(): Proxy {
    return {
      name: this.settings.name,
      listen: this.bound === undefined ? this.settings.listen : formatAddress(this.bound),
      upstream: this.settings.upstream,
      enabled: this.server !== undefined,
      toxics: this.toxicList.map(copyToxic),
    };
  }

  /** Same listen (as written or as bound) and upstream: populate leaves such a proxy alone. */
  sameAddresses(settings: ProxySettings): boolean {
    const listens = [this.settings.listen, ...(this.bound === undefined ? [] : [formatAddress(this.bound)])];
    return listens.includes(settings.listen) && settings.upstream === this.settings.upstream;
  }

  /** Toxiproxy's Update: a new listen or upstream restarts (dropping connections), then `enabled` is applied. */
  async update(settings: ProxySettings): Promise<void> {
    if (!this.sameAddresses(settings)) {
      await this.stop();
      this.settings = settings;
      this.bound = undefined;
    }
    if (settings.enabled) await this.start();
    else await this.stop();
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const address = this.bound ?? this.settings.listenAddress;
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: address.host, port: address.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new FaultProxyError(500, `proxy ${this.name}: cannot listen on ${formatAddress(address)}: ${reason}`);
    }
    // Accept errors (EMFILE and the like) drop that one client; they must not crash the process.
    server.on('error', () => undefined);
    const bound = server.address();
    this.bound = bound !== null && typeof bound === 'object' ? { host: bound.address, port: bound.port } : address;
    this.server = server;
  }

  /** Stops listening and closes every connection (Toxiproxy's `stop()`); resolves once all sockets are closed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    const connections = [...this.connections];
    for (const connection of connections) connection.destroy();
    await Promise.all([closing, ...connections.map((connection) => connection.closed)]);
  }

  addToxic(input: ToxicInput): Toxic {
    const toxic = createToxic(input, (name) => this.toxicList.some((existing) => existing.name === name));
    this.toxicList = [...this.toxicList, toxic];
    for (const connection of this.connections) connection.addToxic(toxic);
    return copyToxic(toxic);
  }

  getToxic(name: string): Toxic {
    return copyToxic(this.findToxic(name));
  }

  updateToxic(name: string, changes: Partial<ToxicInput>): Toxic {
    const toxic = updateToxic(this.findToxic(name), changes);
    this.toxicList = this.toxicList.map((existing) => (existing.name === name ? toxic : existing));
    for (const connection of this.connections) connection.updateToxic(toxic);
    return copyToxic(toxic);
  }

  removeToxic(name: string): void {
    this.findToxic(name);
    this.toxicList = this.toxicList.filter((toxic) => toxic.name !== name);
    for (const connection of this.connections) connection.removeToxic(name);
  }

  private findToxic(name: string): Toxic {
    const toxic = this.toxicList.find((candidate) => candidate.name === name);
    if (toxic === undefined) throw new FaultProxyError(404, 'toxic not found');
    return toxic;
  }

  private accept(client: Socket): void {
    if (this.server === undefined) {
      client.destroy();
      return;
    }
    this.accepted += 1;
    const number = this.accepted;
    const connection = new ProxyConnection(client, {
      upstream: this.settings.upstreamAddress,
      toxics: () => this.toxicList,
      draw: (toxic) => toxicityDraw(this.seed, this.name, number, toxic),
      random: (direction) => linkRandom(this.seed, this.name, number, direction),
      count: (direction, what, bytes) => {
        this.counters[direction][what] += bytes;
      },
    });
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }
}

function copyToxic(toxic: Toxic): Toxic {
  return { ...toxic, attributes: { ...toxic.attributes } };
}
