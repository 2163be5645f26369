import type { OutputStream } from '../io.js';
import type { CleanupProgress } from '../shadow/redis-cleanup.js';

export interface ProgressView {
  update(progress: CleanupProgress): void;
  /** Clears a redrawn bar so the final line starts clean. */
  finish(): void;
}

const BAR_WIDTH = 24;
const BAR_EVERY_MS = 100;
const LINE_EVERY_MS = 1000;

export const groupDigits = (n: number): string => n.toLocaleString('en-US');

/**
 * Progress on stderr: one bar redrawn in place on a terminal (at most 10 a second), otherwise a
 * plain line at most once a second. The bar is the share of the keyspace SCAN has walked.
 */
export function createProgressView(stream: OutputStream, options: { bar: boolean; dryRun: boolean; now(): number }): ProgressView {
  let last = options.now();
  let drawn = false;
  const describe = (progress: CleanupProgress): string =>
    `${Math.floor(progress.scanned_share * 100)}% of ${groupDigits(progress.db_keys)} keys scanned, ` +
    (options.dryRun ? `${groupDigits(progress.matched)} to delete` : `${groupDigits(progress.deleted)} deleted`);
  return {
    update(progress) {
      const now = options.now();
      if (now - last < (options.bar ? BAR_EVERY_MS : LINE_EVERY_MS)) return;
      last = now;
      if (!options.bar) {
        stream.write(`shadow cleanup: ${describe(progress)}\n`);
        return;
      }
      const filled = Math.round(progress.scanned_share * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
      stream.write(`\r\x1b[Kshadow cleanup ${bar} ${describe(progress)}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
