/** What one read() returned, stamped when it arrived (latency toxics advance the stamp so they add up). */
export interface Chunk {
  data: Buffer;
  /** performance.now() milliseconds. */
  timestamp: number;
}

/**
 * What a toxic running on one link may do. A fresh context comes with every (re)start of the
 * toxic; once the toxic is interrupted (updated, removed, connection closed) its `signal` aborts,
 * its sleeps reject and its emits are ignored.
 */
export interface ToxicContext {
  readonly signal: AbortSignal;
  /** The toxic's current attribute, 0 when unset. */
  attribute(name: string): number;
  /** The link's seeded generator, [0, 1). */
  random(): number;
  /** Pass data on to the next toxic (or the socket). */
  emit(chunk: Chunk): void;
  /** Data this toxic swallows. */
  drop(bytes: number): void;
  /** Wait, rejecting when the toxic is interrupted; `ms` ≤ 0 resolves at once. */
  sleep(ms: number): Promise<void>;
  /** End this link here and close the connection (Toxiproxy's `stub.Close()`). */
  close(): void;
  /** Close the connection at once with RST on both sockets. */
  reset(): void;
}

/**
 * One toxic's behaviour on one link, like a Toxiproxy stub: chunks come one at a time, and the
 * next comes only once `chunk` has settled. Instances hold per-link state (limit_data's count).
 */
export interface ToxicBehaviour {
  /** The toxic starts or restarts on the link (connection opened, toxic added or updated). */
  start?(context: ToxicContext): void;
  chunk(chunk: Chunk, context: ToxicContext): void | Promise<void>;
  /** The input ended; the end passes on once this settles. */
  end?(context: ToxicContext): void | Promise<void>;
  /** The toxic is being removed from a live link. */
  removed?(context: ToxicContext): void;
}

/** What a toxic whose toxicity roll missed runs instead (Toxiproxy's NoopToxic). */
export const passThrough: ToxicBehaviour = {
  chunk: (chunk, context) => context.emit(chunk),
};
