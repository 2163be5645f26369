import type { ToxicBehaviour } from './toxic-behaviour.js';

/**
 * Toxiproxy's limit_data: counts the bytes the link has passed (kept across updates, like its
 * stub state), truncates the chunk that crosses `bytes`, then closes the connection.
 */
export function limitData(): ToxicBehaviour {
  let passed = 0;
  return {
    chunk(chunk, context) {
      const limit = context.attribute('bytes');
      const allowed = Math.max(0, Math.min(chunk.data.length, limit - passed));
      if (allowed > 0) context.emit({ data: chunk.data.subarray(0, allowed), timestamp: chunk.timestamp });
      if (allowed < chunk.data.length) context.drop(chunk.data.length - allowed);
      passed += allowed;
      if (passed >= limit) context.close();
    },
  };
}
