/**
 * The fault proxy's model, in Toxiproxy's vocabulary and JSON shape (field names, units and
 * defaults are Toxiproxy's): proxies with toxics on their upstream (client → server) or
 * downstream (server → client) stream.
 */

export const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];

/** `both` is a vocabulary extension for `latency` only (Toxiproxy's latency is one-way). */
export type ToxicStream = 'upstream' | 'downstream' | 'both';

/** A toxic as the API shows it: `{"name","type","stream","toxicity","attributes"}`. */
export interface Toxic {
  name: string;
  type: ToxicType;
  stream: ToxicStream;
  /** Share of connections the toxic applies to, 0–1 (default 1), rolled once per connection from the seeded PRNG. */
  toxicity: number;
  /**
   * latency: `latency` ms, `jitter` ms; bandwidth: `rate` KB/s; slow_close: `delay` ms;
   * timeout: `timeout` ms; reset_peer: `timeout` ms; slicer: `average_size` bytes,
   * `size_variation` bytes, `delay` µs; limit_data: `bytes`.
   */
  attributes: Record<string, number>;
}

/** A proxy as the API shows it. `listen` is the bound address (`127.0.0.1:41234` when asked for port 0). */
export interface Proxy {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Toxic[];
}

/** What a client sends to create a proxy. */
export interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled?: boolean;
}

/** What a client sends to create a toxic; everything but `type` has Toxiproxy's default. */
export interface ToxicInput {
  type: string;
  name?: string;
  stream?: string;
  toxicity?: number;
  attributes?: Record<string, unknown>;
}

/** A model error with the HTTP status Toxiproxy answers it with (400 invalid, 404 missing, 409 exists). */
export class FaultProxyError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 500,
    message: string,
  ) {
    super(message);
    this.name = 'FaultProxyError';
  }
}

/** A toxic was added, updated or removed: stamped on a monotonic clock for a rehearsal's timeline. */
export interface ToxicChange {
  proxy: string;
  toxic: string;
  change: 'added' | 'updated' | 'removed';
  /** performance.now() milliseconds. */
  at: number;
}

/**
 * The set of proxies one process serves (implemented in fault-proxies.ts). Every mutating call
 * takes effect on live connections as Toxiproxy's does: an added toxic joins every live link of
 * its stream, a disabled proxy closes its connections, removing a `timeout` toxic closes the
 * connections it stalled.
 */
export interface FaultProxySet {
  list(): Proxy[];
  get(name: string): Proxy;
  create(input: ProxyInput): Promise<Proxy>;
  /** Changing listen or upstream restarts the proxy (dropping connections); enabled=false stops listening and closes every connection. */
  update(name: string, changes: Partial<Omit<ProxyInput, 'name'>>): Promise<Proxy>;
  remove(name: string): Promise<void>;
  /** Creates or replaces; a proxy whose listen and upstream are unchanged is left untouched. */
  populate(inputs: readonly ProxyInput[]): Promise<Proxy[]>;
  addToxic(proxy: string, input: ToxicInput): Toxic;
  updateToxic(proxy: string, toxic: string, changes: Partial<ToxicInput>): Toxic;
  removeToxic(proxy: string, toxic: string): void;
  /** Re-enables every proxy and removes every toxic. */
  reset(): Promise<void>;
  /** Bytes moved per proxy and direction, for `/metrics`. */
  bytes(): Array<{ proxy: string; listen: string; upstream: string; direction: 'upstream' | 'downstream'; received: number; sent: number }>;
  /** Every toxic change so far, oldest first. */
  changes(): readonly ToxicChange[];
  close(): Promise<void>;
}
