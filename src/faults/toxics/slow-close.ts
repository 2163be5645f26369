import type { ToxicBehaviour } from './toxic-behaviour.js';

/** Data passes untouched; the end of the stream is held back `delay` ms. */
export function slowClose(): ToxicBehaviour {
  return {
    chunk: (chunk, context) => context.emit(chunk),
    end: (context) => context.sleep(context.attribute('delay')),
  };
}
