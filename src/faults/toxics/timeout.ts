import type { ToxicBehaviour } from './toxic-behaviour.js';

/**
 * Toxiproxy's timeout: every byte is dropped, and the connection closes `timeout` ms after the
 * toxic starts on it (0: never, the connection just stalls). Removing the toxic closes the
 * connections it stalled (Toxiproxy's `Cleanup`, PR #168), since the dropped bytes are gone.
 */
export function timeout(): ToxicBehaviour {
  return {
    start(context) {
      const after = context.attribute('timeout');
      if (after > 0) context.sleep(after).then(() => context.close(), () => undefined);
    },
    chunk: (chunk, context) => context.drop(chunk.data.length),
    removed: (context) => context.close(),
  };
}
