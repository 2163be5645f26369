import { FaultProxy } from './fault-proxy.js';
import { checkProxyInput } from './proxy-input.js';
import { FaultProxyError, type FaultProxySet, type Proxy, type ProxyInput, type Toxic, type ToxicChange, type ToxicInput } from './proxy-model.js';

export interface FaultProxiesOptions {
  /** Seeds every toxicity roll, jitter and slice size, so a rehearsal picks the same connections again; random when absent. */
  seed?: number;
  /** The host a `listen` written as `:port` binds to (default 127.0.0.1: faults are for tests, not the network). */
  host?: string;
}

/** The embedded fault proxy: Toxiproxy's model and toxics over real TCP sockets. */
export function createFaultProxies(options: FaultProxiesOptions = {}): FaultProxySet {
  return new FaultProxies(options.seed ?? Math.floor(Math.random() * 2 ** 32), options.host ?? '127.0.0.1');
}

class FaultProxies implements FaultProxySet {
  private readonly proxies = new Map<string, FaultProxy>();
  private readonly history: ToxicChange[] = [];
  // Creating, updating, removing and populating proxies listen and close sockets: one at a time,
  // so two calls never race on the same name or port (Toxiproxy takes a collection lock).
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly seed: number,
    private readonly host: string,
  ) {}

  list(): Proxy[] {
    return [...this.proxies.values()].map((proxy) => proxy.view());
  }

  get(name: string): Proxy {
    return this.find(name).view();
  }

  create(input: ProxyInput): Promise<Proxy> {
    return this.serially(async () => {
      const settings = checkProxyInput(input, this.host);
      if (this.proxies.has(settings.name)) throw new FaultProxyError(409, 'proxy already exists');
      const proxy = new FaultProxy(settings, this.seed);
      if (settings.enabled) await proxy.start();
      this.proxies.set(settings.name, proxy);
      return proxy.view();
    });
  }

  update(name: string, changes: Partial<Omit<ProxyInput, 'name'>>): Promise<Proxy> {
    return this.serially(async () => {
      const proxy = this.find(name);
      const current = proxy.view();
      const settings = checkProxyInput(
        { name, listen: changes.listen ?? current.listen, upstream: changes.upstream ?? current.upstream, enabled: changes.enabled ?? current.enabled },
        this.host,
      );
      await proxy.update(settings);
      return proxy.view();
    });
  }

  remove(name: string): Promise<void> {
    return this.serially(async () => {
      await this.drop(this.find(name));
    });
  }

  populate(inputs: readonly ProxyInput[]): Promise<Proxy[]> {
    return this.serially(async () => {
      // Every entry is checked before anything changes, so a typo in the last one changes nothing.
      const all = inputs.map((input) => checkProxyInput(input, this.host));
      const views: Proxy[] = [];
      for (const settings of all) {
        const existing = this.proxies.get(settings.name);
        if (existing?.sameAddresses(settings)) {
          views.push(existing.view());
          continue;
        }
        if (existing !== undefined) await this.drop(existing);
        const proxy = new FaultProxy(settings, this.seed);
        if (settings.enabled) await proxy.start();
        this.proxies.set(settings.name, proxy);
        views.push(proxy.view());
      }
      return views;
    });
  }

  addToxic(proxy: string, input: ToxicInput): Toxic {
    const toxic = this.find(proxy).addToxic(input);
    this.record(proxy, toxic.name, 'added');
    return toxic;
  }

  updateToxic(proxy: string, toxic: string, changes: Partial<ToxicInput>): Toxic {
    const updated = this.find(proxy).updateToxic(toxic, changes);
    this.record(proxy, toxic, 'updated');
    return updated;
  }

  removeToxic(proxy: string, toxic: string): void {
    this.find(proxy).removeToxic(toxic);
    this.record(proxy, toxic, 'removed');
  }

  reset(): Promise<void> {
    return this.serially(async () => {
      for (const proxy of this.proxies.values()) {
        await proxy.start();
        for (const toxic of proxy.toxics) this.removeToxic(proxy.name, toxic.name);
      }
    });
  }

  bytes(): ReturnType<FaultProxySet['bytes']> {
    return [...this.proxies.values()].flatMap((proxy) => {
      const { name, listen, upstream } = proxy.view();
      return (['upstream', 'downstream'] as const).map((direction) => ({ proxy: name, listen, upstream, direction, ...proxy.counters[direction] }));
    });
  }

  changes(): readonly ToxicChange[] {
    return this.history;
  }

  close(): Promise<void> {
    const closing = this.queue.then(async () => {
      this.closed = true;
      const proxies = [...this.proxies.values()];
      this.proxies.clear();
      await Promise.all(proxies.map((proxy) => proxy.stop()));
    });
    this.queue = closing;
    return closing;
  }

  private find(name: string): FaultProxy {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) throw new FaultProxyError(404, 'proxy not found');
    return proxy;
  }

  /** Stops and forgets a proxy; its toxics count as removed on the rehearsal's timeline. */
  private async drop(proxy: FaultProxy): Promise<void> {
    await proxy.stop();
    this.proxies.delete(proxy.name);
    for (const toxic of proxy.toxics) this.record(proxy.name, toxic.name, 'removed');
  }

  private record(proxy: string, toxic: string, change: ToxicChange['change']): void {
    this.history.push({ proxy, toxic, change, at: performance.now() });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.closed) throw new FaultProxyError(500, 'the fault proxies are closed');
      return work();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}
