import type { ToxicBehaviour, ToxicContext } from './toxic-behaviour.js';

/**
 * Toxiproxy's reset_peer: the first chunk after the toxic starts arms it, `timeout` ms later the
 * connection is reset (RST on both sockets); data meanwhile is dropped, as the reset discards it
 * anyway. An update re-arms from the first chunk's time with the new timeout.
 */
export function resetPeer(): ToxicBehaviour {
  let armedAt: number | undefined;
  const arm = (context: ToxicContext): void => {
    if (armedAt === undefined) return;
    context.sleep(armedAt + context.attribute('timeout') - performance.now()).then(() => context.reset(), () => undefined);
  };
  return {
    start: arm,
    chunk(chunk, context) {
      context.drop(chunk.data.length);
      if (armedAt !== undefined) return;
      armedAt = performance.now();
      arm(context);
    },
  };
}
